using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>Reports a NaN or infinite sampled <c>train_loss</c>: the weights are most likely ruined.</summary>
internal sealed class NonFiniteLossRule : ITrainingRule
{
    public Finding? Evaluate(RunHistory history, IReadOnlyList<Finding> found)
    {
        var points = history.TrainLoss;
        var count = 0;
        MetricSample first = default;
        foreach (var point in points)
        {
            if (!double.IsFinite(point.Value))
            {
                if (count++ == 0)
                {
                    first = point;
                }
            }
        }

        if (count == 0)
        {
            return null;
        }

        return new Finding(
            FindingCodes.LossNotFinite,
            FindingSeverity.Critical,
            $"train_loss was {Numbers.Format(first.Value)} at step {Numbers.Format(first.Step)}; {Numbers.Format(count)} of " +
            $"{Numbers.Format(points.Count)} samples are not finite. The weights are most likely ruined: stop the run and restart " +
            "from the last good checkpoint with a lower learning rate, gradient clipping, or a check of the data and the loss.");
    }
}
