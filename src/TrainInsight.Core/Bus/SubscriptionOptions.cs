using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>How a subscriber wants to receive events from the <see cref="ITelemetryBus"/>.</summary>
public sealed class SubscriptionOptions
{
    private int? _capacity;
    private long? _afterOffset;

    /// <summary>
    /// Gets or sets how many events this subscriber may fall behind before it loses events, or <see langword="null"/>
    /// for <see cref="TrainInsightOptions.SubscriberCapacity"/>. Between 1 and 10,000,000. The default is <see langword="null"/>.
    /// </summary>
    public int? Capacity
    {
        get => _capacity;
        set => _capacity = OptionsGuard.InRangeOrNull(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets or sets the offset after which to replay history before live events: 0 replays everything still held,
    /// <see langword="null"/> receives live events only. Events older than the history ring are read from the bus's
    /// <see cref="IMetricStore"/>; what neither holds any more arrives as a <see cref="GapEvent"/>. Replayed and live events
    /// join without duplicates or holes.
    /// The default is <see langword="null"/>.
    /// </summary>
    public long? AfterOffset
    {
        get => _afterOffset;
        set
        {
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "AfterOffset cannot be negative.");
            }

            _afterOffset = value;
        }
    }

    /// <summary>Gets or sets the only run to receive events of, or <see langword="null"/> for all runs. The default is <see langword="null"/>.</summary>
    public string? RunId { get; set; }

    /// <summary>
    /// Gets or sets metric names: only <see cref="MetricEvent"/>s carrying at least one of them are received (whole, with
    /// all their values, so every subscriber shares one encoding); training events always are. <see langword="null"/> or
    /// empty receives every metric event. The default is <see langword="null"/>.
    /// </summary>
    public IReadOnlyCollection<string>? MetricNames { get; set; }

    /// <summary>
    /// Gets or sets whether the code awaiting this subscription's reader may run on the bus's dispatcher thread when new
    /// events arrive, as <c>BoundedChannelOptions.AllowSynchronousContinuations</c> allows for channels. It saves a
    /// thread-pool hop per event, which matters for thousands of streaming clients, but whatever the reader does until
    /// its next wait delays every other subscriber: set it only for readers that do little before awaiting again.
    /// The default is <see langword="false"/>.
    /// </summary>
    public bool AllowSynchronousContinuations { get; set; }
}
