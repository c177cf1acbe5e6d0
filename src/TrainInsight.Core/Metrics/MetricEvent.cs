namespace TrainInsight;

/// <summary>A set of named scalar values measured at one training step.</summary>
public sealed class MetricEvent : TrainInsightEvent
{
    private static readonly IReadOnlyDictionary<string, double> s_empty = new Dictionary<string, double>();

    /// <summary>Initializes a new instance of the <see cref="MetricEvent"/> class.</summary>
    /// <param name="run">The run the values belong to.</param>
    /// <param name="step">The number of optimizer steps the run has completed (1 after its first step), counted across epochs.</param>
    /// <param name="values">The values by name; see <see cref="MetricNames"/> for the well-known names. NaN and infinities are kept as they are.</param>
    /// <param name="timestamp">When the values were measured. The default is now.</param>
    public MetricEvent(RunDescriptor run, long step, IReadOnlyDictionary<string, double>? values, DateTimeOffset? timestamp = null)
        : base(run, timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Step = step;
        Values = values ?? s_empty;
    }

    /// <summary>Gets the number of optimizer steps the run has completed (1 after its first step), counted across epochs.</summary>
    public long Step { get; }

    /// <summary>Gets or initializes the epoch (1-based), or <see langword="null"/> when the trainer has no epochs.</summary>
    public int? Epoch { get; init; }

    /// <summary>Gets or initializes the batch index within the epoch (1-based), or <see langword="null"/> when unknown.</summary>
    public int? Batch { get; init; }

    /// <summary>Gets the values by metric name.</summary>
    public IReadOnlyDictionary<string, double> Values { get; }
}
