namespace TrainInsight;

/// <summary>
/// A typed action proposed for a live run, as one revision of its life: made (<see cref="Revision"/> 1,
/// <see cref="ProposalState.Pending"/>), approved or rejected by a person, applied by the trainer at a step boundary (or
/// failed, with the trainer's reason), its outcome measured, or expired. Every revision travels on the bus, the streams and
/// the stores under the same <see cref="ProposalId"/>, so the revisions are the proposal's audit trail: who did what, when.
/// </summary>
/// <remarks>Nothing is applied to training before a revision in <see cref="ProposalState.Approved"/>.</remarks>
public sealed class ProposalEvent : TrainInsightEvent
{
    private static readonly IReadOnlyList<string> s_noIds = [];
    private static readonly IReadOnlyDictionary<string, double> s_noValues = new Dictionary<string, double>();
    private readonly int _revision = 1;
    private readonly DateTimeOffset? _createdAt;
    private readonly IReadOnlyList<string> _commandIds = s_noIds;
    private readonly IReadOnlyDictionary<string, double> _previousValues = s_noValues;

    /// <summary>Initializes a new instance of the <see cref="ProposalEvent"/> class.</summary>
    /// <param name="run">The run the proposal would steer.</param>
    /// <param name="proposalId">The proposal's stable id, the same in every revision ("prop_" and 32 hex digits when TrainInsight makes it).</param>
    /// <param name="state">Where the proposal is in its life.</param>
    /// <param name="source">Who made it.</param>
    /// <param name="commands">The control commands it applies, in order; at least one.</param>
    /// <param name="title">What it does, in one line with its numbers ("Set the learning rate to 0.001 (0.01 ÷ 10)").</param>
    /// <param name="timestamp">When this revision was made. The default is now.</param>
    /// <exception cref="ArgumentException">A text is empty, <paramref name="commands"/> is empty, or an enum value is undefined.</exception>
    public ProposalEvent(RunDescriptor run, string proposalId, ProposalState state, ProposalSource source, IReadOnlyList<FixCommand> commands, string title, DateTimeOffset? timestamp = null)
        : base(run, timestamp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(proposalId);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count == 0)
        {
            throw new ArgumentException("A proposal needs at least one command.", nameof(commands));
        }

        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown proposal state.");
        }

        if (!Enum.IsDefined(source))
        {
            throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown proposal source.");
        }

        ProposalId = proposalId;
        State = state;
        Source = source;
        Commands = commands;
        Title = title;
    }

    /// <summary>Gets the proposal's stable id, the same in every revision.</summary>
    public string ProposalId { get; }

    /// <summary>Gets where the proposal is in its life.</summary>
    public ProposalState State { get; }

    /// <summary>Gets who made the proposal.</summary>
    public ProposalSource Source { get; }

    /// <summary>Gets the control commands the proposal applies, in order.</summary>
    public IReadOnlyList<FixCommand> Commands { get; }

    /// <summary>Gets what the proposal does, in one line with its numbers.</summary>
    public string Title { get; }

    /// <summary>Gets or initializes the revision: 1 when made, then one more for each transition. The default is 1.</summary>
    public int Revision
    {
        get => _revision;
        init => _revision = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Revision must be at least 1.");
    }

    /// <summary>Gets or initializes when the proposal was made. The default is <see cref="TrainInsightEvent.Timestamp"/>.</summary>
    public DateTimeOffset CreatedAt
    {
        get => _createdAt ?? Timestamp;
        init => _createdAt = value;
    }

    /// <summary>Gets or initializes why the proposal was made, with the numbers behind it, or <see langword="null"/>.</summary>
    public string? Rationale { get; init; }

    /// <summary>Gets or initializes what the proposal is expected to do, or <see langword="null"/>.</summary>
    public string? ExpectedEffect { get; init; }

    /// <summary>Gets or initializes the finding the proposal comes from, or <see langword="null"/>.</summary>
    public string? FindingId { get; init; }

    /// <summary>Gets or initializes the label of the finding the proposal comes from (see <see cref="FindingLabels"/>), or <see langword="null"/>.</summary>
    public string? FindingLabel { get; init; }

    /// <summary>
    /// Gets or initializes the metric (lower is better) whose change is measured once the proposal is applied, or
    /// <see langword="null"/> when the proposal's effect is not measured (pause, stop, checkpoint, evaluate).
    /// </summary>
    public string? TargetMetric { get; init; }

    /// <summary>Gets or initializes who made this revision's transition ("auto-apply", a user name, "trainer", "system"), or <see langword="null"/>.</summary>
    public string? Actor { get; init; }

    /// <summary>Gets or initializes why this revision happened: the rejection's reason, the trainer's failure message, the cause of expiry.</summary>
    public string? Reason { get; init; }

    /// <summary>Gets or initializes whether the auto-apply policy approved the proposal without a person.</summary>
    public bool AutoApplied { get; init; }

    /// <summary>Gets or initializes the ids of the control commands submitted for the proposal (once approved). The default is empty.</summary>
    public IReadOnlyList<string> CommandIds
    {
        get => _commandIds;
        init => _commandIds = value ?? s_noIds;
    }

    /// <summary>Gets or initializes the checkpoint written just before the proposal was applied (for its revert), or <see langword="null"/>.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>
    /// Gets or initializes the hyperparameters the proposal changes, as they were just before it was applied
    /// (<see cref="MetricNames.LearningRate"/> → 0.01, say). The default is empty.
    /// </summary>
    public IReadOnlyDictionary<string, double> PreviousValues
    {
        get => _previousValues;
        init => _previousValues = value ?? s_noValues;
    }

    /// <summary>Gets or initializes the step at which the trainer applied the proposal, or <see langword="null"/>.</summary>
    public long? AppliedStep { get; init; }

    /// <summary>Gets or initializes the measured outcome, or <see langword="null"/> until it is measured (or when it is not).</summary>
    public ProposalOutcome? Outcome { get; init; }

    /// <summary>Gets or initializes the proposal this one reverts (for <see cref="ProposalSource.Revert"/>), or <see langword="null"/>.</summary>
    public string? RevertOf { get; init; }

    /// <summary>Gets or initializes the proposal that superseded this one (for an expired proposal), or <see langword="null"/>.</summary>
    public string? SupersededBy { get; init; }
}
