namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>One suggestion of an answer as the evaluation reads it.</summary>
/// <param name="Priority">Its rank (1 = top).</param>
/// <param name="Parameter">The suggestion's parameter (a hyperparameter, or a fix id for changes that are not one).</param>
/// <param name="FixId">For the rules' answers, the diagnosis fix the suggestion came from; null for a model's.</param>
/// <param name="FindingLabel">The label of the finding it came from (rules), or the one the validator tied it to (model).</param>
/// <param name="CurrentValue">The value now, as the answer gives it.</param>
/// <param name="ProposedValue">The value proposed, as the answer gives it.</param>
/// <param name="Direction">Which way it moves the parameter.</param>
/// <param name="DirectionFrom">How <paramref name="Direction"/> was read: <c>values</c>, <c>implicit default</c>, <c>fix id</c> or <c>none</c>.</param>
/// <param name="Commands">Its live commands, as <c>action</c> or <c>action=value</c>.</param>
/// <param name="Confidence">The answer's confidence.</param>
internal sealed record ReadSuggestion(
    int Priority,
    string Parameter,
    string? FixId,
    string? FindingLabel,
    double? CurrentValue,
    double? ProposedValue,
    Direction Direction,
    string DirectionFrom,
    IReadOnlyList<string> Commands,
    double Confidence);
