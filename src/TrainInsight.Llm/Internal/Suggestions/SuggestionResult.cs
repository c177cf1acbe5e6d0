namespace TrainInsight.Llm.Internal.Suggestions;

/// <summary>The validated suggestions, with what was repaired and what was dropped, or why nothing could be read.</summary>
internal sealed record SuggestionResult(
    IReadOnlyList<HyperparameterSuggestion> Suggestions,
    string? Summary,
    IReadOnlyList<string> Repairs,
    IReadOnlyList<string> Rejections,
    string? Error);
