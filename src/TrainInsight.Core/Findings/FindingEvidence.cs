namespace TrainInsight;

/// <summary>One measurement behind a <see cref="FindingEvent"/>: a metric's value, where it was seen and the threshold it crossed.</summary>
public sealed class FindingEvidence
{
    /// <summary>Initializes a new instance of the <see cref="FindingEvidence"/> class.</summary>
    /// <param name="metric">The metric's name as the trainer sent it (an alias such as <c>epoch_loss</c> stays as it was).</param>
    /// <param name="value">The value the detector judged (NaN and infinities are kept).</param>
    /// <param name="step">The step of the (latest) sample behind the value.</param>
    /// <param name="description">What the value is, for example "median of the last 20 samples".</param>
    /// <param name="threshold">The threshold it crossed, or <see langword="null"/> when the evidence is context rather than a test.</param>
    /// <exception cref="ArgumentException"><paramref name="metric"/> or <paramref name="description"/> is empty, or <paramref name="step"/> is negative.</exception>
    public FindingEvidence(string metric, double value, long step, string description, double? threshold = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentException.ThrowIfNullOrWhiteSpace(description);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        Metric = metric;
        Value = value;
        Step = step;
        Description = description;
        Threshold = threshold;
    }

    /// <summary>Gets the metric's name as the trainer sent it.</summary>
    public string Metric { get; }

    /// <summary>Gets the value the detector judged.</summary>
    public double Value { get; }

    /// <summary>Gets the step of the (latest) sample behind the value.</summary>
    public long Step { get; }

    /// <summary>Gets what the value is (a single sample, a median over a window, a ratio).</summary>
    public string Description { get; }

    /// <summary>Gets the threshold the value crossed, or <see langword="null"/>.</summary>
    public double? Threshold { get; }
}
