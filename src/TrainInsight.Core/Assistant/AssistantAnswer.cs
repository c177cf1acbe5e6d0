namespace TrainInsight;

/// <summary>The answer of an <see cref="ITrainingAssistant"/> operation.</summary>
public sealed class AssistantAnswer
{
    private static readonly IReadOnlyList<FindingEvent> s_noFindings = [];
    private static readonly IReadOnlyList<HyperparameterSuggestion> s_noSuggestions = [];
    private static readonly IReadOnlyList<ProposalEvent> s_noProposals = [];

    /// <summary>Gets the run the answer is about.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the operation that produced it.</summary>
    public required AssistantOperation Operation { get; init; }

    /// <summary>Gets where <see cref="Text"/> (and <see cref="Suggestions"/>) come from: the model or the rules.</summary>
    public required AssistantSource Source { get; init; }

    /// <summary>Gets the answer in words, in <see cref="Language"/>.</summary>
    public required string Text { get; init; }

    /// <summary>Gets the language the answer was asked for, as a BCP 47 tag (<c>en</c>, <c>zh</c>).</summary>
    public required string Language { get; init; }

    /// <summary>
    /// Gets why the answer comes from the rules (no chat client is registered; the model failed, timed out or is over
    /// budget; its output was not usable) or what was repaired or dropped from the model's output; otherwise
    /// <see langword="null"/>.
    /// </summary>
    public string? Notice { get; init; }

    /// <summary>Gets the run's open findings the answer rests on, most severe first; empty when there are none.</summary>
    public IReadOnlyList<FindingEvent> Findings { get; init; } = s_noFindings;

    /// <summary>
    /// Gets the suggestions, best first (<see cref="AssistantOperation.Suggest"/> and <see cref="AssistantOperation.Diagnose"/>);
    /// empty for the other operations.
    /// </summary>
    public IReadOnlyList<HyperparameterSuggestion> Suggestions { get; init; } = s_noSuggestions;

    /// <summary>
    /// Gets the proposals the answer made (a chat message asking to steer the run, the suggestions of a suggest call), each
    /// pending until a person approves it; empty when it made none.
    /// </summary>
    public IReadOnlyList<ProposalEvent> Proposals { get; init; } = s_noProposals;

    /// <summary>Gets the conversation a chat answer belongs to; <see langword="null"/> for the other operations.</summary>
    public string? ConversationId { get; init; }

    /// <summary>Gets the model's id as its client reported it, or <see langword="null"/> (always for rules answers).</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets the input tokens the model reported for the answer (all calls of it together), or <see langword="null"/>.</summary>
    public long? InputTokens { get; init; }

    /// <summary>Gets the output tokens the model reported for the answer (all calls of it together), or <see langword="null"/>.</summary>
    public long? OutputTokens { get; init; }

    /// <summary>Gets the estimated tokens of the run context sent to the model (0 for rules answers).</summary>
    public int ContextTokens { get; init; }

    /// <summary>Gets how long the answer took, from the request to its last piece.</summary>
    public TimeSpan Elapsed { get; init; }
}
