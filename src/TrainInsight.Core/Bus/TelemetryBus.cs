using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>Creates <see cref="ITelemetryBus"/> instances for hosts that do not use dependency injection.</summary>
public static class TelemetryBus
{
    /// <summary>Creates a bus and starts its dispatcher.</summary>
    /// <param name="options">The bus settings. The default is <c>new TrainInsightOptions()</c>.</param>
    /// <param name="store">
    /// Where the bus keeps every event beyond its history ring, and from which it continues offsets and sequences after a
    /// restart, or <see langword="null"/> for none. The bus writes to it but does not dispose it. The default is <see langword="null"/>.
    /// </param>
    /// <param name="control">
    /// The mailbox this host's trainers attach to, or <see langword="null"/>. A run attached to it is alive however long it
    /// stays silent (paused, or validating), so the lost-run check (<see cref="TrainInsightOptions.LostRunTimeout"/>) never
    /// reports it; without it, every silent unfinished run is. The default is <see langword="null"/>.
    /// </param>
    /// <returns>The bus. Dispose it to stop the dispatcher, flush the store and complete all subscriptions.</returns>
    public static ITelemetryBus Create(TrainInsightOptions? options = null, IMetricStore? store = null, ITrainingControl? control = null) =>
        new InProcessTelemetryBus(options ?? new TrainInsightOptions(), store, control);
}
