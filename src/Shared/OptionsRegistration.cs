// Shared source: compiled into each TrainInsight package as an internal helper (no public API).
namespace Microsoft.Extensions.DependencyInjection;

internal static class OptionsRegistration
{
    /// <summary>
    /// Returns the options instance registered as a singleton in <paramref name="services"/>, registering a new one on
    /// the first call, and applies <paramref name="configure"/> to it. So every AddX call configures the same instance.
    /// </summary>
    public static TOptions GetOrAdd<TOptions>(IServiceCollection services, Action<TOptions>? configure)
        where TOptions : class, new()
    {
        var options = services.FirstOrDefault(d => d.ServiceType == typeof(TOptions))?.ImplementationInstance as TOptions;
        if (options is null)
        {
            options = new TOptions();
            services.AddSingleton(options);
        }

        configure?.Invoke(options);
        return options;
    }
}
