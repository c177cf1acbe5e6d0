namespace TrainInsight;

/// <summary>
/// A problem the diagnosis found in a run, as one revision of its life: raised (<see cref="Revision"/> 1,
/// <see cref="FindingState.Open"/>), updated as its evidence grows, and resolved when the condition clears. Every revision
/// travels on the bus, the streams and the stores under the same <see cref="FindingId"/>.
/// </summary>
public sealed class FindingEvent : TrainInsightEvent
{
    private static readonly IReadOnlyList<FindingEvidence> s_noEvidence = [];
    private static readonly IReadOnlyList<SuggestedFix> s_noFixes = [];
    private readonly double _confidence = 1;
    private readonly int _revision = 1;
    private readonly DateTimeOffset? _firstSeenAt;
    private readonly IReadOnlyList<FindingEvidence> _evidence = s_noEvidence;
    private readonly IReadOnlyList<SuggestedFix> _fixes = s_noFixes;

    /// <summary>Initializes a new instance of the <see cref="FindingEvent"/> class.</summary>
    /// <param name="run">The run the finding is about.</param>
    /// <param name="findingId">The finding's stable id, the same in every revision (for example <c>run-1/divergence/1</c>).</param>
    /// <param name="label">What was found; see <see cref="FindingLabels"/>.</param>
    /// <param name="severity">How serious it is.</param>
    /// <param name="state">Whether it is open or resolved.</param>
    /// <param name="message">An explanation with the numbers behind it.</param>
    /// <param name="timestamp">When this revision was made. The default is now.</param>
    /// <exception cref="ArgumentException">A text is empty, or an enum value is undefined.</exception>
    public FindingEvent(RunDescriptor run, string findingId, string label, FindingSeverity severity, FindingState state, string message, DateTimeOffset? timestamp = null)
        : base(run, timestamp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(findingId);
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        if (!Enum.IsDefined(severity))
        {
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown finding severity.");
        }

        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown finding state.");
        }

        FindingId = findingId;
        Label = label;
        Severity = severity;
        State = state;
        Message = message;
    }

    /// <summary>Gets the finding's stable id, the same in every revision.</summary>
    public string FindingId { get; }

    /// <summary>Gets what was found; see <see cref="FindingLabels"/>.</summary>
    public string Label { get; }

    /// <summary>Gets how serious it is.</summary>
    public FindingSeverity Severity { get; }

    /// <summary>Gets whether it is open or resolved.</summary>
    public FindingState State { get; }

    /// <summary>Gets an explanation with the numbers behind it.</summary>
    public string Message { get; }

    /// <summary>Gets or initializes how sure the detector is, from 0 to 1. The default is 1.</summary>
    public double Confidence
    {
        get => _confidence;
        init => _confidence = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Confidence must be between 0 and 1.");
    }

    /// <summary>Gets or initializes the revision: 1 when raised, then one more for each update and for the resolution. The default is 1.</summary>
    public int Revision
    {
        get => _revision;
        init => _revision = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Revision must be at least 1.");
    }

    /// <summary>Gets or initializes the step at which the finding was first raised.</summary>
    public long FirstStep { get; init; }

    /// <summary>Gets or initializes the step of this revision (the latest evidence, or where it resolved).</summary>
    public long Step { get; init; }

    /// <summary>Gets or initializes when the finding was first raised. The default is <see cref="TrainInsightEvent.Timestamp"/>.</summary>
    public DateTimeOffset FirstSeenAt
    {
        get => _firstSeenAt ?? Timestamp;
        init => _firstSeenAt = value;
    }

    /// <summary>Gets or initializes the measurements behind the finding. The default is empty.</summary>
    public IReadOnlyList<FindingEvidence> Evidence
    {
        get => _evidence;
        init => _evidence = value ?? s_noEvidence;
    }

    /// <summary>Gets or initializes the suggested fixes, the most promising first. The default is empty.</summary>
    public IReadOnlyList<SuggestedFix> Fixes
    {
        get => _fixes;
        init => _fixes = value ?? s_noFixes;
    }
}
