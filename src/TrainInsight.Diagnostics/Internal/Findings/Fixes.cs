namespace TrainInsight.Diagnostics.Internal;

/// <summary>Builds the typed fixes the detectors suggest, with their computed arguments.</summary>
internal static class Fixes
{
    /// <summary>Multiplies the learning rate: live with the computed value when the run reports its rate, else a code change.</summary>
    public static SuggestedFix ScaleLearningRate(RunDiagnosis run, double factor, string rationale)
    {
        var lower = factor < 1;
        var id = lower ? "lower_learning_rate" : "raise_learning_rate";
        if (run.LearningRate is { } rate && double.IsFinite(rate) && rate > 0)
        {
            var value = Round(rate * factor);
            if (value is > 0 and <= 10)
            {
                return new SuggestedFix(
                    id,
                    FixKind.LiveAction,
                    Text.Join($"Set the learning rate to {Text.F(value)} ({Text.F(rate)} × {Text.F(factor)})"),
                    rationale,
                    [new FixCommand(ControlAction.SetLearningRate, value)]);
            }
        }

        var how = lower ? Text.Join($"Lower the learning rate {Text.F(1 / factor)}×") : Text.Join($"Raise the learning rate {Text.F(factor)}×");
        return new SuggestedFix(id, FixKind.CodeChange, how + " (the run does not report learning_rate, so the new value cannot be computed)", rationale);
    }

    public static SuggestedFix Stop(string rationale) =>
        new("stop", FixKind.LiveAction, "Stop the run", rationale, [new FixCommand(ControlAction.Stop)]);

    public static SuggestedFix CheckpointAndStop(string title, string rationale) =>
        new("checkpoint_and_stop", FixKind.LiveAction, title, rationale, [new FixCommand(ControlAction.SaveCheckpoint), new FixCommand(ControlAction.Stop)]);

    public static SuggestedFix WeightDecay(double value, string rationale) =>
        new("set_weight_decay", FixKind.LiveAction, Text.Join($"Set the weight decay to {Text.F(value)}"), rationale, [new FixCommand(ControlAction.SetWeightDecay, value)]);

    public static SuggestedFix Code(string id, string title, string rationale) => new(id, FixKind.CodeChange, title, rationale);

    // Two significant digits: a rate of 0.0001 rather than 9.999999999999999E-05.
    private static double Round(double value)
    {
        var digits = 1 - (int)Math.Floor(Math.Log10(value));
        return digits is >= 0 and <= 15 ? Math.Round(value, digits) : value;
    }
}
