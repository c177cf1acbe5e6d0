namespace TrainInsight;

/// <summary>Which metric points of a run to read from an <see cref="IMetricStore"/>.</summary>
public sealed class MetricQuery
{
    private int _limit = 1_000;
    private long? _afterStep;

    /// <summary>Initializes a new instance of the <see cref="MetricQuery"/> class.</summary>
    /// <param name="runId">The run's id.</param>
    public MetricQuery(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunId = runId;
    }

    /// <summary>Gets the run's id.</summary>
    public string RunId { get; }

    /// <summary>Gets or sets the metric names to read, or <see langword="null"/> for all. The default is <see langword="null"/>.</summary>
    public IReadOnlyCollection<string>? Names { get; set; }

    /// <summary>
    /// Gets or sets a step: only points measured after it are read; <see langword="null"/> reads from the first.
    /// The default is <see langword="null"/>.
    /// </summary>
    public long? AfterStep
    {
        get => _afterStep;
        set => _afterStep = value is < 0 ? throw new ArgumentOutOfRangeException(nameof(value), value, "AfterStep cannot be negative.") : value;
    }

    /// <summary>
    /// Gets or sets the most points <see cref="IMetricStore.GetMetricsAsync"/> reads (<see cref="IMetricStore.ReadMetricsAsync"/>
    /// reads them all). Between 1 and 100,000. The default is 1,000.
    /// </summary>
    public int Limit
    {
        get => _limit;
        set => _limit = value is >= 1 and <= 100_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Limit must be between 1 and 100,000.");
    }
}
