using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>
/// Reports a <c>train_loss</c> whose recent moving average climbed back well above the best moving average so far.
/// </summary>
/// <remarks>
/// Moving averages, not single samples: mini-batch losses are noisy (15-25% relative noise at batch size 128 is
/// ordinary), so over hundreds of samples the single lowest one sits far below the typical loss, and comparing against
/// it flags healthy runs. A mean of <see cref="Window"/> samples has about a third of that noise.
/// </remarks>
internal sealed class DivergingLossRule : ITrainingRule
{
    /// <summary>How many consecutive finite samples each moving average takes.</summary>
    public const int Window = 10;

    /// <summary>The fewest finite samples the rule judges.</summary>
    public const int MinPoints = 2 * Window;

    /// <summary>How many times the best moving average the latest one must exceed.</summary>
    public const double Factor = 1.5;

    public Finding? Evaluate(RunHistory history, IReadOnlyList<Finding> found)
    {
        var points = Numbers.Finite(history.TrainLoss);
        if (points.Count < MinPoints)
        {
            return null;
        }

        // The lowest mean over any Window consecutive finite samples (the latest window included); the first one wins ties.
        var bestStart = 0;
        var best = double.PositiveInfinity;
        for (var start = 0; start + Window <= points.Count; start++)
        {
            var mean = Numbers.Mean(points, start, Window);
            if (mean < best)
            {
                best = mean;
                bestStart = start;
            }
        }

        if (best <= 0)
        {
            return null;
        }

        var recent = Numbers.Mean(points, points.Count - Window, Window);
        if (recent <= Factor * best)
        {
            return null;
        }

        return new Finding(
            FindingCodes.LossDiverging,
            FindingSeverity.Warning,
            $"The mean train_loss of the last {Window} finite samples ({Numbers.Format(recent)}) is {Numbers.Format(recent / best, 1)}x " +
            $"the lowest mean of {Window} consecutive samples so far ({Numbers.Format(best)} at steps " +
            $"{Numbers.Format(points[bestStart].Step)}-{Numbers.Format(points[bestStart + Window - 1].Step)}). The loss is diverging: " +
            "lower the learning rate or add gradient clipping.");
    }
}
