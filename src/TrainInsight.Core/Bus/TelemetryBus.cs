using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>Creates <see cref="ITelemetryBus"/> instances for hosts that do not use dependency injection.</summary>
public static class TelemetryBus
{
    /// <summary>Creates a bus and starts its dispatcher.</summary>
    /// <param name="options">The bus settings. The default is <c>new TrainInsightOptions()</c>.</param>
    /// <returns>The bus. Dispose it to stop the dispatcher and complete all subscriptions.</returns>
    public static ITelemetryBus Create(TrainInsightOptions? options = null) => new ChannelTelemetryBus(options ?? new TrainInsightOptions());
}
