namespace TrainInsight;

/// <summary>
/// The in-process bus that carries training telemetry from trainers to every consumer (streams, stores, analyzers).
/// </summary>
/// <remarks>
/// <see cref="TryPublish"/> never blocks and never throws: a trainer's thread is never slowed by telemetry.
/// A single dispatcher stamps each event with its run's <see cref="TrainInsightEvent.Sequence"/> and a bus-wide
/// <see cref="TrainInsightEvent.Offset"/>, appends it to the history ring, and offers it to each subscriber's own
/// bounded queue; a subscriber that falls behind loses events (counted) instead of slowing anyone.
/// Disposing the bus (<see cref="IAsyncDisposable.DisposeAsync"/> waits without blocking a thread) dispatches what was
/// published before, completes every subscription and flushes the store.
/// </remarks>
public interface ITelemetryBus : IDisposable, IAsyncDisposable
{
    /// <summary>Hands an event to the bus without blocking. Never throws.</summary>
    /// <param name="telemetryEvent">The event; the bus owns it from now on.</param>
    /// <returns><see langword="false"/> when the event was rejected: it is null, was already published, or the bus is disposed.</returns>
    bool TryPublish(TrainInsightEvent telemetryEvent);

    /// <summary>Subscribes to events, optionally replaying history first.</summary>
    /// <param name="options">How to subscribe. The default receives live events of every run.</param>
    /// <returns>The subscription; dispose it to unsubscribe.</returns>
    /// <exception cref="ObjectDisposedException">The bus is disposed.</exception>
    ITelemetrySubscription Subscribe(SubscriptionOptions? options = null);

    /// <summary>Copies the events in the history ring with an offset greater than <paramref name="afterOffset"/>, oldest first.</summary>
    /// <param name="afterOffset">Only events after this offset; 0 for the whole ring.</param>
    /// <returns>The events.</returns>
    IReadOnlyList<TrainInsightEvent> GetHistory(long afterOffset = 0);

    /// <summary>
    /// Gets the latest value of every metric a run published in <see cref="MetricEvent"/>s, merged across events, with the
    /// run's latest state and position (training events update those, not the values).
    /// </summary>
    /// <param name="runId">The run, or <see langword="null"/> for the run that published most recently.</param>
    /// <returns>The snapshot, or <see langword="null"/> when the bus has seen no event of that run.</returns>
    MetricsSnapshot? GetCurrent(string? runId = null);

    /// <summary>Gets the bus's counters.</summary>
    /// <returns>The counters at this moment.</returns>
    BusStatistics GetStatistics();
}
