namespace TrainInsight.Proposals;

/// <summary>
/// The named, bounded actions the opt-in auto-apply policy may approve without a person (<see cref="ProposalOptions.AutoApply"/>).
/// Only proposals of diagnosis rules (<see cref="ProposalSource.Rule"/>) qualify: never the model's, a chat's or an API
/// client's, so no text a model or a trainer wrote can make anything happen unasked.
/// </summary>
[Flags]
public enum AutoApplyActions
{
    /// <summary>Nothing is applied without a person.</summary>
    None = 0,

    /// <summary>
    /// Lower the learning rate: a proposal that only sets a learning rate below the current one and at least the current one
    /// divided by <see cref="ProposalOptions.AutoApplyMaxLearningRateFactor"/>.
    /// </summary>
    LowerLearningRate = 1,

    /// <summary>Save a checkpoint: a proposal that only saves a checkpoint.</summary>
    SaveCheckpoint = 2,

    /// <summary>
    /// Stop when the loss is not finite: a proposal of stop (optionally after a checkpoint) while the run's latest training
    /// loss is NaN or infinite.
    /// </summary>
    StopOnNonFiniteLoss = 4,
}
