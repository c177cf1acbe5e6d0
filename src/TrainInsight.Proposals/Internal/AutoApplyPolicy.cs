using System.Globalization;

namespace TrainInsight.Proposals.Internal;

/// <summary>
/// The opt-in auto-apply policy: whether a new proposal may be approved without a person, and the audit text saying which
/// named, bounded rule allowed it. Only diagnosis rules' proposals qualify.
/// </summary>
internal static class AutoApplyPolicy
{
    /// <summary>Returns the audit text of the rule that allows <paramref name="proposal"/>, or <see langword="null"/> when none does.</summary>
    public static string? Allows(ProposalOptions options, ProposalEvent proposal, RunTrack track)
    {
        if (options.AutoApply == AutoApplyActions.None || proposal.Source != ProposalSource.Rule || track.AutoApplied >= options.AutoApplyLimitPerRun)
        {
            return null;
        }

        var commands = proposal.Commands;
        var current = track.Current();
        if (options.AutoApply.HasFlag(AutoApplyActions.LowerLearningRate) && commands is [{ Action: ControlAction.SetLearningRate, Value: { } rate }]
            && current.TryGetValue(MetricNames.LearningRate, out var now) && rate < now && rate >= now / options.AutoApplyMaxLearningRateFactor)
        {
            return $"Applied by the auto-apply policy (LowerLearningRate: {now.ToString("G4", CultureInfo.InvariantCulture)} → {rate.ToString("G4", CultureInfo.InvariantCulture)}, at most ÷{options.AutoApplyMaxLearningRateFactor.ToString("G4", CultureInfo.InvariantCulture)}; {track.AutoApplied + 1} of {options.AutoApplyLimitPerRun} for this run).";
        }

        if (options.AutoApply.HasFlag(AutoApplyActions.SaveCheckpoint) && commands is [{ Action: ControlAction.SaveCheckpoint }])
        {
            return $"Applied by the auto-apply policy (SaveCheckpoint; {track.AutoApplied + 1} of {options.AutoApplyLimitPerRun} for this run).";
        }

        if (options.AutoApply.HasFlag(AutoApplyActions.StopOnNonFiniteLoss)
            && commands is [{ Action: ControlAction.Stop }] or [{ Action: ControlAction.SaveCheckpoint }, { Action: ControlAction.Stop }]
            && track.Latest.TryGetValue(MetricNames.TrainLoss, out var loss) && !double.IsFinite(loss))
        {
            return $"Applied by the auto-apply policy (StopOnNonFiniteLoss: train_loss is {loss.ToString(CultureInfo.InvariantCulture)}; {track.AutoApplied + 1} of {options.AutoApplyLimitPerRun} for this run).";
        }

        return null;
    }
}
