namespace TrainInsight;

/// <summary>Which findings of a run to read from an <see cref="IMetricStore"/>.</summary>
public sealed class FindingQuery
{
    private int _limit = 1_000;
    private FindingState? _state;
    private FindingSeverity? _minSeverity;

    /// <summary>Initializes a new instance of the <see cref="FindingQuery"/> class.</summary>
    /// <param name="runId">The run's id.</param>
    public FindingQuery(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        RunId = runId;
    }

    /// <summary>Gets the run's id.</summary>
    public string RunId { get; }

    /// <summary>
    /// Gets or sets the state the findings must be in now (their latest revision's), or <see langword="null"/> for any.
    /// The default is <see langword="null"/>.
    /// </summary>
    public FindingState? State
    {
        get => _state;
        set => _state = value is { } s && !Enum.IsDefined(s) ? throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown finding state.") : value;
    }

    /// <summary>
    /// Gets or sets the least severity a finding's latest revision must have, or <see langword="null"/> for any.
    /// The default is <see langword="null"/>.
    /// </summary>
    public FindingSeverity? MinSeverity
    {
        get => _minSeverity;
        set => _minSeverity = value is { } s && !Enum.IsDefined(s) ? throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown finding severity.") : value;
    }

    /// <summary>Gets or sets the most findings to read. Between 1 and 10,000. The default is 1,000.</summary>
    public int Limit
    {
        get => _limit;
        set => _limit = value is >= 1 and <= 10_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Limit must be between 1 and 10,000.");
    }
}
