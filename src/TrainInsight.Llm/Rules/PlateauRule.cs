using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>Reports a <c>train_loss</c> that stopped improving over the last half of its samples.</summary>
internal sealed class PlateauRule : ITrainingRule
{
    /// <summary>The fewest finite samples the rule judges.</summary>
    public const int MinPoints = 20;

    /// <summary>The relative improvement below which the loss counts as flat.</summary>
    public const double MinImprovement = 0.01;

    public Finding? Evaluate(RunHistory history, IReadOnlyList<Finding> found)
    {
        // A diverging loss is worse than flat, and already reported.
        if (found.Any(f => f.Code == FindingCodes.LossDiverging))
        {
            return null;
        }

        var points = Numbers.Finite(history.TrainLoss);
        if (points.Count < MinPoints)
        {
            return null;
        }

        // The window is the last half; its first and last quarters are averaged so one noisy batch decides nothing.
        var windowStart = points.Count / 2;
        var window = points.Count - windowStart;
        var quarter = Math.Max(2, window / 4);
        var start = Numbers.Mean(points, windowStart, quarter);
        var end = Numbers.Mean(points, points.Count - quarter, quarter);
        if (start == 0)
        {
            return null;
        }

        var improvement = (start - end) / Math.Abs(start);
        if (improvement >= MinImprovement)
        {
            return null;
        }

        return new Finding(
            FindingCodes.Plateau,
            FindingSeverity.Info,
            $"train_loss improved by {Numbers.Format(improvement * 100, 2)}% over the last {Numbers.Format(window)} samples " +
            $"(steps {Numbers.Format(points[windowStart].Step)}-{Numbers.Format(points[^1].Step)}, from about {Numbers.Format(start)} to " +
            $"{Numbers.Format(end)}). The loss has plateaued: lower the learning rate (or let a scheduler do it), or stop if the " +
            "validation metrics are good enough.");
    }
}
