using TrainInsight.Internal;

namespace TrainInsight.Sqlite;

/// <summary>Settings of the <see cref="SqliteMetricStore"/>.</summary>
public sealed class SqliteStoreOptions
{
    private string _path = "traininsight.db";
    private TimeSpan? _maxAge;
    private int? _maxEventsPerRun;
    private int? _maxRuns;
    private TimeSpan _busyTimeout = TimeSpan.FromSeconds(5);
    private int _memoryFallbackCapacity = 100_000;

    /// <summary>
    /// Gets or sets the database file; a relative path is relative to the current directory. Missing directories are
    /// created. The default is "traininsight.db".
    /// </summary>
    public string Path
    {
        get => _path;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _path = value;
        }
    }

    /// <summary>
    /// Gets or sets how long events are kept: older events (and their metric points) are removed, and so is a run whose
    /// latest event is older, with its summary, audit trail and conversations. At least 1 minute, or <see langword="null"/> to keep
    /// events forever. The default is <see langword="null"/>.
    /// </summary>
    public TimeSpan? MaxAge
    {
        get => _maxAge;
        set => _maxAge = OptionsGuard.AtLeastOrNull(value, TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Gets or sets how many of each run's latest events are kept: older ones (and their metric points) are removed;
    /// the run's summary and audit trail stay. At least 1, or <see langword="null"/> for no limit.
    /// The default is <see langword="null"/>.
    /// </summary>
    public int? MaxEventsPerRun
    {
        get => _maxEventsPerRun;
        set => _maxEventsPerRun = OptionsGuard.AtLeastOrNull(value, 1);
    }

    /// <summary>
    /// Gets or sets how many runs are kept: beyond it the least recently updated runs are removed with all their events,
    /// metric points, audit trail and conversations. At least 1, or <see langword="null"/> for no limit. The default is <see langword="null"/>.
    /// </summary>
    public int? MaxRuns
    {
        get => _maxRuns;
        set => _maxRuns = OptionsGuard.AtLeastOrNull(value, 1);
    }

    /// <summary>
    /// Gets or sets how long a write or read waits for another connection (another process, say) that holds the
    /// database lock; reads round it up to whole seconds. Between 1 second and 1 minute. The default is 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout
    {
        get => _busyTimeout;
        set => _busyTimeout = OptionsGuard.InRange(value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    /// <summary>
    /// Gets or sets how many events the store keeps in memory once the database cannot be written (full disk, read-only
    /// directory); beyond it the oldest of those are removed. Between 1 and 100,000,000. The default is 100,000.
    /// </summary>
    public int MemoryFallbackCapacity
    {
        get => _memoryFallbackCapacity;
        set => _memoryFallbackCapacity = OptionsGuard.InRange(value, 1, 100_000_000);
    }

    // Test hooks: how often retention runs after appends, and a page limit that makes SQLite report a full disk.
    internal TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    internal long? MaxPageCount { get; set; }
}
