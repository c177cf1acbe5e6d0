using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>Settings of the TrainInsight bus.</summary>
public sealed class TrainInsightOptions
{
    private int _historyCapacity = 10_000;
    private int _ingestCapacity = 65_536;
    private int _subscriberCapacity = 1_024;
    private TimeSpan _storeFlushInterval = TimeSpan.FromMilliseconds(500);
    private int _storeQueueCapacity = 1_000_000;
    private TimeSpan? _lostRunTimeout = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Gets or sets how many of the latest events the in-memory history ring keeps for late joiners and resuming clients.
    /// Between 1 and 10,000,000. The default is 10,000.
    /// </summary>
    public int HistoryCapacity
    {
        get => _historyCapacity;
        set => _historyCapacity = OptionsGuard.InRange(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets or sets how many published events may wait for the dispatcher before the oldest is dropped (and counted).
    /// Between 16 and 10,000,000. The default is 65,536.
    /// </summary>
    public int IngestCapacity
    {
        get => _ingestCapacity;
        set => _ingestCapacity = OptionsGuard.InRange(value, 16, 10_000_000);
    }

    /// <summary>
    /// Gets or sets how many events each subscriber may fall behind before its oldest events are dropped (counted, and
    /// reported to it by a <see cref="GapEvent"/> in their place).
    /// Between 1 and 10,000,000. The default is 1,024.
    /// </summary>
    public int SubscriberCapacity
    {
        get => _subscriberCapacity;
        set => _subscriberCapacity = OptionsGuard.InRange(value, 1, 10_000_000);
    }

    /// <summary>
    /// Gets or sets how often the store writer writes the events dispatched since its last write, as one batch:
    /// the most a crash of the process can lose. Between 10 ms and 1 minute. The default is 500 ms.
    /// </summary>
    public TimeSpan StoreFlushInterval
    {
        get => _storeFlushInterval;
        set => _storeFlushInterval = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Gets or sets how many dispatched events may wait for the store writer before the oldest are dropped (and counted
    /// in <see cref="BusStatistics.DroppedAtStore"/>). Between 1,024 and 100,000,000. The default is 1,000,000.
    /// </summary>
    public int StoreQueueCapacity
    {
        get => _storeQueueCapacity;
        set => _storeQueueCapacity = OptionsGuard.InRange(value, 1024, 100_000_000);
    }

    /// <summary>
    /// Gets or sets how long a run that is training or paused may publish nothing before the bus reports it
    /// <see cref="RunState.Lost"/> (a <see cref="TrainingEventKind.RunLost"/> event: streamed, stored, shown by the REST
    /// endpoints), or <see langword="null"/> never to. Runs attached to this host's <see cref="ITrainingControl"/> are never
    /// reported: their trainer is alive, however long it pauses or validates. Runs the store holds as unfinished from before
    /// a restart are reported once this long has passed since the bus started. A lost run comes back to
    /// <see cref="RunState.Training"/> with its next event. Ten minutes outlasts TensorBoard writers' default two-minute
    /// flushes and most validation passes. Between 100 ms and 30 days. The default is 10 minutes.
    /// </summary>
    public TimeSpan? LostRunTimeout
    {
        get => _lostRunTimeout;
        set => _lostRunTimeout = OptionsGuard.InRangeOrNull(value, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(30));
    }
}
