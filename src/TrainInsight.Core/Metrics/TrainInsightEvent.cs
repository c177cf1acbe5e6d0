namespace TrainInsight;

/// <summary>
/// The base of everything that travels on the <see cref="ITelemetryBus"/>: a metric update or a training event
/// of one run.
/// </summary>
/// <remarks>
/// Publishing hands the event to the bus, which stamps <see cref="Sequence"/> and <see cref="Offset"/>;
/// do not publish the same instance twice or change it afterwards.
/// </remarks>
public abstract class TrainInsightEvent
{
    private protected TrainInsightEvent(RunDescriptor run, DateTimeOffset? timestamp)
    {
        ArgumentNullException.ThrowIfNull(run);
        Run = run;
        Timestamp = timestamp ?? DateTimeOffset.UtcNow;
    }

    /// <summary>Gets the run the event belongs to.</summary>
    public RunDescriptor Run { get; }

    /// <summary>Gets the id of the run the event belongs to.</summary>
    public string RunId => Run.Id;

    /// <summary>Gets the wall-clock time at which the event happened.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>
    /// Gets the event's number within its run: 1 for the run's first event, then contiguous.
    /// Zero until the bus has dispatched the event.
    /// </summary>
    /// <remarks>
    /// Only a store restoring a dispatched event sets it; the bus overwrites it when the event is published.
    /// </remarks>
    public long Sequence
    {
        get => SequenceValue;
        init => SequenceValue = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Sequence cannot be negative.");
    }

    /// <summary>
    /// Gets the event's position on the bus, across all runs: strictly increasing in dispatch order.
    /// Zero until the bus has dispatched the event. Streaming clients resume from it.
    /// </summary>
    /// <remarks>
    /// Only a store restoring a dispatched event sets it; the bus overwrites it when the event is published.
    /// </remarks>
    public long Offset
    {
        get => OffsetValue;
        init => OffsetValue = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Offset cannot be negative.");
    }

    // Written by the dispatcher.
    internal long SequenceValue;
    internal long OffsetValue;

    // 0 until the event is first handed to a bus; guards against publishing one instance twice.
    internal int PublishedFlag;
}
