using System.Globalization;

namespace TrainInsight.Proposals.Internal;

/// <summary>
/// The verdict on an applied proposal: the target metric's median after against what its trend before predicted.
/// </summary>
/// <remarks>
/// The metric is lower-is-better (a loss). What the after window is compared with depends on the before window's
/// least-squares trend. Improving: the median before, moved along the slope by the distance between the two windows'
/// centres, by no more than the before window's own range (so a steep start is not extrapolated past what was seen): a
/// fix must beat the improvement that was happening anyway. Worsening: the larger of the median before and the median of
/// the window's last quarter (at least 3 updates), the level the metric had reached when the change was applied: fixes
/// are applied when something goes wrong, and the healthy start of the window must not make a fix look harmful. A value
/// after that is not finite is "hurt" whatever the rest.
/// </remarks>
internal static class OutcomeMeter
{
    public static ProposalOutcome Measure(string metric, IReadOnlyList<(long Step, double Value)> before, IReadOnlyList<(long Step, double Value)> after,
        double helpedMargin, double hurtMargin)
    {
        var b = before.Select(p => p.Value).Where(double.IsFinite).ToArray();
        var medianBefore = Median(b);
        var fromStep = before.Count > 0 ? before[0].Step : after[0].Step;
        var toStep = after.Count > 0 ? after[^1].Step : fromStep;
        var expected = Expected(b, medianBefore, after.Count);
        if (after.Any(p => !double.IsFinite(p.Value)))
        {
            var bad = after.First(p => !double.IsFinite(p.Value));
            return new ProposalOutcome(metric, ProposalVerdict.Hurt, medianBefore, double.NaN, expected, double.NaN,
                $"{metric} became {F(bad.Value)} at step {bad.Step}, {after.Count} update(s) after the change (median {F(medianBefore)} over the {before.Count} updates before, steps {fromStep}–{before[^1].Step}): hurt.")
            {
                BeforeCount = before.Count,
                AfterCount = after.Count,
                FromStep = fromStep,
                ToStep = toStep,
            };
        }

        var medianAfter = Median([.. after.Select(p => p.Value)]);
        var scale = Math.Abs(medianBefore) > 1e-12 ? Math.Abs(medianBefore) : 1e-12;
        var change = (medianAfter - expected) / scale;
        var verdict = change <= -helpedMargin ? ProposalVerdict.Helped : change >= hurtMargin ? ProposalVerdict.Hurt : ProposalVerdict.NoEffect;
        var verdictText = verdict switch
        {
            ProposalVerdict.Helped => $"helped (at least {P(helpedMargin)} better than the trend)",
            ProposalVerdict.Hurt => $"hurt (at least {P(hurtMargin)} worse than the trend)",
            _ => $"no effect (within −{P(helpedMargin)} and +{P(hurtMargin)} of the trend)",
        };
        var trend = expected == medianBefore ? "the trend before was flat, so it predicted no change"
            : expected > medianBefore ? $"it was worsening and had reached {F(expected)}"
            : $"the trend before predicted {F(expected)}";
        var message = $"{metric}: median {F(medianBefore)} over {before.Count} updates before (steps {fromStep}–{before[^1].Step}), "
            + $"{F(medianAfter)} over {after.Count} updates after (steps {after[0].Step}–{toStep}); {trend}; "
            + $"change {(change >= 0 ? "+" : "−")}{P(Math.Abs(change))} against it: {verdictText}.";
        return new ProposalOutcome(metric, verdict, medianBefore, medianAfter, expected, change, message)
        {
            BeforeCount = before.Count,
            AfterCount = after.Count,
            FromStep = fromStep,
            ToStep = toStep,
        };
    }

    private static double Expected(double[] before, double median, int afterCount)
    {
        if (before.Length < 2)
        {
            return median;
        }

        var n = before.Length;
        var meanX = (n - 1) / 2.0;
        var meanY = before.Average();
        double sxy = 0, sxx = 0;
        for (var i = 0; i < n; i++)
        {
            sxy += (i - meanX) * (before[i] - meanY);
            sxx += (i - meanX) * (i - meanX);
        }

        var slope = sxy / sxx;
        if (slope > 0)
        {
            var tail = before[^Math.Min(n, Math.Max(3, (n + 3) / 4))..];
            return Math.Max(median, Median(tail));
        }

        if (!(slope < 0))
        {
            return median;
        }

        var distance = (n + afterCount) / 2.0;
        var drop = Math.Min(-slope * distance, before.Max() - before.Min());
        return median - drop;
    }

    internal static double Median(double[] values)
    {
        if (values.Length == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static string F(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static string P(double fraction) => (fraction * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
