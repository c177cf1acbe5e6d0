using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>A detector of one kind of problem in a run's history.</summary>
internal interface ITrainingRule
{
    /// <summary>Looks at the run and reports what it found.</summary>
    /// <param name="history">The run's telemetry.</param>
    /// <param name="found">The findings of the rules evaluated before this one.</param>
    /// <returns>The finding, or <see langword="null"/> when the rule found nothing.</returns>
    Finding? Evaluate(RunHistory history, IReadOnlyList<Finding> found);
}
