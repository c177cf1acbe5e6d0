namespace TrainInsight;

/// <summary>
/// The measured effect of an applied proposal on its target metric: the metric's median over the updates before the
/// commands were applied, the median over the same number of updates after, the value the trend before predicted, and the
/// verdict with the relative change behind it.
/// </summary>
public sealed class ProposalOutcome
{
    /// <summary>Initializes a new instance of the <see cref="ProposalOutcome"/> class.</summary>
    /// <param name="metric">The target metric's name (lower is better), for example <c>train_loss</c>.</param>
    /// <param name="verdict">Helped, no effect or hurt.</param>
    /// <param name="before">The metric's median over the updates before.</param>
    /// <param name="after">The metric's median over the updates after; NaN when a value after was not finite.</param>
    /// <param name="expected">What the after window is compared with: the improving trend's projection, or the level a worsening metric had reached (see docs/proposals.md).</param>
    /// <param name="change">The relative change against <paramref name="expected"/>: (after − expected) ÷ |before|; negative is better.</param>
    /// <param name="message">The verdict in words, with the numbers.</param>
    /// <exception cref="ArgumentException"><paramref name="metric"/> or <paramref name="message"/> is empty, or <paramref name="verdict"/> is undefined.</exception>
    public ProposalOutcome(string metric, ProposalVerdict verdict, double before, double after, double expected, double change, string message)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (!Enum.IsDefined(verdict))
        {
            throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict.");
        }

        Metric = metric;
        Verdict = verdict;
        Before = before;
        After = after;
        Expected = expected;
        Change = change;
        Message = message;
    }

    /// <summary>Gets the target metric's name.</summary>
    public string Metric { get; }

    /// <summary>Gets the verdict.</summary>
    public ProposalVerdict Verdict { get; }

    /// <summary>Gets the metric's median over the updates before the commands were applied.</summary>
    public double Before { get; }

    /// <summary>Gets the metric's median over the updates after; NaN when a value after was not finite.</summary>
    public double After { get; }

    /// <summary>Gets what the after window is compared with: the improving trend's projection, or the level a worsening metric had reached.</summary>
    public double Expected { get; }

    /// <summary>Gets the relative change against <see cref="Expected"/>: (after − expected) ÷ |before|; negative is better; NaN when <see cref="After"/> is.</summary>
    public double Change { get; }

    /// <summary>Gets the verdict in words, with the numbers.</summary>
    public string Message { get; }

    /// <summary>Gets or initializes how many updates of the metric the before window held.</summary>
    public int BeforeCount { get; init; }

    /// <summary>Gets or initializes how many updates of the metric the after window held.</summary>
    public int AfterCount { get; init; }

    /// <summary>Gets or initializes the first step of the before window.</summary>
    public long FromStep { get; init; }

    /// <summary>Gets or initializes the last step of the after window.</summary>
    public long ToStep { get; init; }
}
