namespace TrainInsight.Llm.Internal.Context;

/// <summary>The run's data as the prompt carries it: compact statistics within a token budget.</summary>
/// <param name="Text">The data block, <c>&lt;run_data&gt;</c> tags included.</param>
/// <param name="Tokens">Its estimated tokens (<see cref="TokenEstimator"/>).</param>
/// <param name="Omitted">What did not fit the budget, such as "9 other metrics"; empty when everything fit.</param>
internal sealed record RunContext(string Text, int Tokens, IReadOnlyList<string> Omitted);
