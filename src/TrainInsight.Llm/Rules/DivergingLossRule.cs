using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>Reports a <c>train_loss</c> that climbed back well above the best value sampled so far.</summary>
internal sealed class DivergingLossRule : ITrainingRule
{
    /// <summary>The fewest finite samples the rule judges.</summary>
    public const int MinPoints = 10;

    /// <summary>How many of the latest finite samples make the recent mean.</summary>
    public const int RecentPoints = 5;

    /// <summary>How many times the minimum the recent mean must exceed.</summary>
    public const double Factor = 1.5;

    public Finding? Evaluate(RunHistory history, IReadOnlyList<Finding> found)
    {
        var points = Numbers.Finite(history.TrainLoss);
        if (points.Count < MinPoints)
        {
            return null;
        }

        var min = points.MinBy(p => p.Value);
        if (min.Value <= 0)
        {
            return null;
        }

        var recent = Numbers.Mean(points, points.Count - RecentPoints, RecentPoints);
        if (recent <= Factor * min.Value)
        {
            return null;
        }

        return new Finding(
            FindingCodes.LossDiverging,
            FindingSeverity.Warning,
            $"The mean train_loss of the last {RecentPoints} finite samples ({Numbers.Format(recent)}) is {Numbers.Format(recent / min.Value, 1)}x " +
            $"the minimum sampled so far ({Numbers.Format(min.Value)} at step {Numbers.Format(min.Step)}). The loss is diverging: " +
            "lower the learning rate or add gradient clipping.");
    }
}
