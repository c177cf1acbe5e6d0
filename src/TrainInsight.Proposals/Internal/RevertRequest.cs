using System.Globalization;

namespace TrainInsight.Proposals.Internal;

/// <summary>The revert of a proposal measured as hurt: restore the checkpoint saved before it, then the previous settings.</summary>
internal static class RevertRequest
{
    public static ProposalRequest For(ProposalEvent measured, ProposalOutcome outcome, string path)
    {
        var commands = new List<FixCommand> { new(ControlAction.RestoreCheckpoint) { Path = path } };
        if (measured.PreviousValues.TryGetValue(MetricNames.LearningRate, out var rate) && rate is > 0 and <= ControlCommand.MaxLearningRate)
        {
            commands.Add(new FixCommand(ControlAction.SetLearningRate, rate));
        }

        if (measured.PreviousValues.TryGetValue(HyperparameterNames.WeightDecay, out var decay) && decay is >= 0 and <= ControlCommand.MaxWeightDecay
            && measured.Commands.Any(c => c.Action == ControlAction.SetWeightDecay))
        {
            commands.Add(new FixCommand(ControlAction.SetWeightDecay, decay));
        }

        return new ProposalRequest(measured.RunId, commands, ProposalSource.Revert)
        {
            Title = Clip($"Revert {measured.ProposalId}: restore the checkpoint saved at step {measured.AppliedStep} and the previous settings", 200),
            Rationale = Clip($"\"{measured.Title}\" hurt: {outcome.Message}"),
            ExpectedEffect = $"{outcome.Metric} back to about {outcome.Before.ToString("G4", CultureInfo.InvariantCulture)}, where it was before the change; training then continues from the checkpoint.",
            TargetMetric = outcome.Metric,
            RevertOf = measured.ProposalId,
            Actor = ProposalBook.SystemActor,
        };
    }

    private static string Clip(string text, int max = ProposalRequest.MaxTextLength) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
