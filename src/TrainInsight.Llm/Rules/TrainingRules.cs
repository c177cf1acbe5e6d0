using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>Runs the built-in rules over a run, in order, and completes the findings.</summary>
internal static class TrainingRules
{
    private static readonly ITrainingRule[] s_rules =
    [
        new NonFiniteLossRule(),
        new DivergingLossRule(),
        new OverfittingRule(),
        new PlateauRule(),
    ];

    /// <summary>Evaluates every rule.</summary>
    /// <param name="history">The run's telemetry.</param>
    /// <returns>The findings, most severe first; <see cref="FindingCodes.Healthy"/> or <see cref="FindingCodes.NoData"/> when no rule found anything.</returns>
    public static IReadOnlyList<Finding> Evaluate(RunHistory history)
    {
        var found = new List<Finding>();
        foreach (var rule in s_rules)
        {
            if (rule.Evaluate(history, found) is { } finding)
            {
                found.Add(finding);
            }
        }

        if (found.Count == 0)
        {
            var samples = history.TrainLoss.Count;
            found.Add(samples == 0
                ? new Finding(
                    FindingCodes.NoData,
                    FindingSeverity.Info,
                    "The run has no train_loss sample in the bus's history yet; the rules cannot judge it.")
                : new Finding(
                    FindingCodes.Healthy,
                    FindingSeverity.Info,
                    $"No rule found a problem in {Numbers.Format(samples)} train_loss samples and {Numbers.Format(history.Epochs.Count)} epoch summaries."));
        }

        // Stable: rules of equal severity keep their order.
        return [.. found.OrderByDescending(f => f.Severity)];
    }
}
