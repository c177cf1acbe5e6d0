using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's core services.</summary>
public static class TrainInsightServiceCollectionExtensions
{
    /// <summary>
    /// Adds the TrainInsight bus (<see cref="ITelemetryBus"/>), the control mailbox (<see cref="ITrainingControl"/>),
    /// <see cref="TrainInsightOptions"/> and, unless another store is registered, an <see cref="InMemoryMetricStore"/> as
    /// <see cref="IMetricStore"/>. Safe to call more than once: later calls only apply <paramref name="configure"/>.
    /// The bus's lost-run check (<see cref="TrainInsightOptions.LostRunTimeout"/>) knows the runs attached to the
    /// registered <see cref="ITrainingControl"/>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Changes the bus settings; validated setters throw on bad values.</param>
    /// <returns>A builder for adding other TrainInsight packages.</returns>
    public static ITrainInsightBuilder AddTrainInsight(this IServiceCollection services, Action<TrainInsightOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton<IMetricStore>(_ => new InMemoryMetricStore());
        services.TryAddSingleton<ITelemetryBus>(sp => new InProcessTelemetryBus(
            sp.GetRequiredService<TrainInsightOptions>(),
            sp.GetService<IMetricStore>(),
            sp.GetService<ITrainingControl>(),
            sp.GetService<ILoggerFactory>()?.CreateLogger("TrainInsight.Bus")));
        services.TryAddSingleton<ITrainingControl>(_ => new TrainingControlMailbox());
        return new TrainInsightBuilder(services);
    }
}
