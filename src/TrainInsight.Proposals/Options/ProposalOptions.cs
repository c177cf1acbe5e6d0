namespace TrainInsight.Proposals;

/// <summary>Options of the <see cref="ProposalManager"/>: what becomes a proposal, how outcomes are measured, what may apply itself.</summary>
public sealed class ProposalOptions
{
    /// <summary>Gets or sets whether new findings with a live fix become pending proposals (their first live fix). The default is <see langword="true"/>.</summary>
    public bool ProposeFindingFixes { get; set; } = true;

    /// <summary>Gets or sets the least severity a finding needs to become a proposal. The default is <see cref="FindingSeverity.Warning"/>.</summary>
    public FindingSeverity MinFindingSeverity
    {
        get;
        set => field = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown finding severity.");
    } = FindingSeverity.Warning;

    /// <summary>
    /// Gets or sets whether approving a proposal that changes training (a learning rate, a weight decay, a checkpoint restore)
    /// first saves a checkpoint at the same step boundary, so that it can be reverted. Trainers without a checkpoint folder
    /// reject the save; the proposal is still applied, without a revert. The default is <see langword="true"/>.
    /// </summary>
    public bool CheckpointBeforeApply { get; set; } = true;

    /// <summary>
    /// Gets or sets how many updates of the target metric make each of the windows before and after an applied proposal.
    /// Between 2 and 10,000. The default is 20.
    /// </summary>
    public int OutcomeWindow
    {
        get;
        set => field = value is >= 2 and <= 10_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "OutcomeWindow must be between 2 and 10,000.");
    } = 20;

    /// <summary>
    /// Gets or sets the fewest updates each window needs for a verdict when the run ends before the after window is full.
    /// Between 2 and 10,000, and at most <see cref="OutcomeWindow"/> when used. The default is 5.
    /// </summary>
    public int MinOutcomeUpdates
    {
        get;
        set => field = value is >= 2 and <= 10_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MinOutcomeUpdates must be between 2 and 10,000.");
    } = 5;

    /// <summary>
    /// Gets or sets how much better than its trend the metric must get for the verdict "helped", as a fraction of the value
    /// before (0.05 = 5 %). Between 0 and 10. The default is 0.05.
    /// </summary>
    public double HelpedMargin
    {
        get;
        set => field = double.IsFinite(value) && value is >= 0 and <= 10 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "HelpedMargin must be between 0 and 10.");
    } = 0.05;

    /// <summary>
    /// Gets or sets how much worse than its trend the metric must get for the verdict "hurt" (which proposes a revert), as a
    /// fraction of the value before (0.10 = 10 %). A value after that is not finite is always "hurt". Between 0 and 10. The
    /// default is 0.10.
    /// </summary>
    public double HurtMargin
    {
        get;
        set => field = double.IsFinite(value) && value is >= 0 and <= 10 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "HurtMargin must be between 0 and 10.");
    } = 0.10;

    /// <summary>
    /// Gets or sets whether an applied proposal measured as "hurt" gets a pending revert proposal: restore the checkpoint saved
    /// before it and set the hyperparameters back. The default is <see langword="true"/>.
    /// </summary>
    public bool ProposeReverts { get; set; } = true;

    /// <summary>Gets or sets the actions applied without a person; see <see cref="AutoApplyActions"/>. The default is <see cref="AutoApplyActions.None"/> (off).</summary>
    public AutoApplyActions AutoApply
    {
        get;
        set => field = (value & ~(AutoApplyActions.LowerLearningRate | AutoApplyActions.SaveCheckpoint | AutoApplyActions.StopOnNonFiniteLoss)) == 0
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown auto-apply action.");
    } = AutoApplyActions.None;

    /// <summary>
    /// Gets or sets the most a learning rate may be divided by under <see cref="AutoApplyActions.LowerLearningRate"/>.
    /// Greater than 1 and at most 1,000. The default is 10.
    /// </summary>
    public double AutoApplyMaxLearningRateFactor
    {
        get;
        set => field = double.IsFinite(value) && value > 1 && value <= 1_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "AutoApplyMaxLearningRateFactor must be greater than 1 and at most 1,000.");
    } = 10;

    /// <summary>Gets or sets the most proposals the policy may apply per run. Between 1 and 1,000. The default is 3.</summary>
    public int AutoApplyLimitPerRun
    {
        get;
        set => field = value is >= 1 and <= 1_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "AutoApplyLimitPerRun must be between 1 and 1,000.");
    } = 3;

    /// <summary>
    /// Gets or sets the most proposals kept in memory; older settled ones are then read from the store. Between 100 and
    /// 1,000,000. The default is 10,000.
    /// </summary>
    public int MaxProposalsInMemory
    {
        get;
        set => field = value is >= 100 and <= 1_000_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "MaxProposalsInMemory must be between 100 and 1,000,000.");
    } = 10_000;

    /// <summary>Gets or sets the capacity of the manager's bus subscription (see <see cref="SubscriptionOptions.Capacity"/>). Between 16 and 1,000,000. The default is 65,536.</summary>
    public int SubscriberCapacity
    {
        get;
        set => field = value is >= 16 and <= 1_000_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "SubscriberCapacity must be between 16 and 1,000,000.");
    } = 65_536;
}
