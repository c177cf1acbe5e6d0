using Microsoft.Extensions.DependencyInjection.Extensions;
using TrainInsight;
using TrainInsight.Torch;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's TorchSharp hooks.</summary>
public static class TorchTrainInsightBuilderExtensions
{
    /// <summary>Adds <see cref="TrainingMonitor"/> and <see cref="TorchMonitorOptions"/>. Safe to call more than once.</summary>
    /// <param name="builder">The TrainInsight builder.</param>
    /// <param name="configure">Changes the hook settings.</param>
    /// <returns>The same builder.</returns>
    public static ITrainInsightBuilder AddTorch(this ITrainInsightBuilder builder, Action<TorchMonitorOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton(sp => new TrainingMonitor(
            sp.GetRequiredService<ITelemetryBus>(), sp.GetRequiredService<ITrainingControl>(), sp.GetRequiredService<TorchMonitorOptions>()));
        return builder;
    }
}
