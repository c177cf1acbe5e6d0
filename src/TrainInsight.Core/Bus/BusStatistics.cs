namespace TrainInsight;

/// <summary>Counters of an <see cref="ITelemetryBus"/>, read at one moment.</summary>
public sealed class BusStatistics
{
    /// <summary>Gets how many events were accepted by <see cref="ITelemetryBus.TryPublish"/>.</summary>
    public long Published { get; init; }

    /// <summary>Gets how many events were rejected by <see cref="ITelemetryBus.TryPublish"/> (null, already published, or bus disposed).</summary>
    public long Rejected { get; init; }

    /// <summary>Gets how many accepted events were lost because the dispatcher fell behind.</summary>
    public long DroppedAtIngest { get; init; }

    /// <summary>Gets how many events reached the history ring and subscribers.</summary>
    public long Dispatched { get; init; }

    /// <summary>Gets how many events subscribers lost in total because they fell behind.</summary>
    public long DroppedAtSubscribers { get; init; }

    /// <summary>
    /// Gets how many events could not be merged into the current snapshot because their values were changed after
    /// publishing (the events themselves were still delivered).
    /// </summary>
    public long SnapshotErrors { get; init; }

    /// <summary>Gets how many events never reached the store because its writer fell too far behind or kept failing.</summary>
    public long DroppedAtStore { get; init; }

    /// <summary>Gets how many store operations failed: writes (each failed batch is retried with the next one), the state read at start, and reads replaying events older than the history ring.</summary>
    public long StoreErrors { get; init; }

    /// <summary>Gets the offset of the latest event the store has confirmed, or 0 when there is no store or nothing was written.</summary>
    public long StoredOffset { get; init; }

    /// <summary>Gets the number of current subscribers.</summary>
    public int Subscribers { get; init; }

    /// <summary>Gets the offset of the latest dispatched event, or 0 when none was.</summary>
    public long LastOffset { get; init; }
}
