using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// An assistant answer: the JSON of the analyze, suggest and diagnose endpoints, of chat with "stream": false, and the data
/// of the streams' answer event. For the OpenAPI description only: AssistantJson writes it.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AssistantAnswerModel
{
    [JsonPropertyName("run_id")]
    public required string RunId { get; init; }

    [JsonPropertyName("operation")]
    [Description("analyze, suggest, diagnose or chat.")]
    public required string Operation { get; init; }

    [JsonPropertyName("source")]
    [Description("model (the host's chat client wrote the text) or rules (the diagnosis's rules did: no chat client, or the model failed, timed out, was over budget or returned unusable output; notice says which).")]
    public required string Source { get; init; }

    [JsonPropertyName("text")]
    [Description("The answer in words, in language.")]
    public required string Text { get; init; }

    [JsonPropertyName("language")]
    [Description("The language of the answer, as a BCP 47 tag.")]
    public required string Language { get; init; }

    [JsonPropertyName("notice")]
    [Description("Why the rules answered, or what was repaired or dropped from the model's output; null when there is nothing to say.")]
    public required string? Notice { get; init; }

    [JsonPropertyName("conversation_id")]
    [Description("Chat only: the conversation the answer belongs to (send it back to continue it). Absent for the other operations.")]
    public string? ConversationId { get; init; }

    [JsonPropertyName("model_id")]
    [Description("The model's id as its client reported it; null when it reported none (always for rules answers).")]
    public required string? ModelId { get; init; }

    [JsonPropertyName("usage")]
    public required AssistantUsageModel Usage { get; init; }

    [JsonPropertyName("context_tokens")]
    [Description("The estimated tokens of the run context sent to the model (0 for rules answers).")]
    public required int ContextTokens { get; init; }

    [JsonPropertyName("elapsed_ms")]
    [Description("How long the answer took, from the request to its last piece, in whole milliseconds.")]
    public required long ElapsedMs { get; init; }

    [JsonPropertyName("findings")]
    [Description("The run's open findings the answer rests on, most severe first, each as GET /api/runs/{id}/findings lists it.")]
    public required IReadOnlyList<FindingEventModel> Findings { get; init; }

    [JsonPropertyName("suggestions")]
    [Description("The suggestions, best first (suggest and diagnose); empty for the other operations.")]
    public required IReadOnlyList<HyperparameterSuggestionModel> Suggestions { get; init; }

    [JsonPropertyName("proposals")]
    [Description("The proposals the answer made (a chat message asking to steer the run, a suggest call's suggestions), each pending until a person approves it at POST /api/proposals/{id}/approve; empty when it made none.")]
    public required IReadOnlyList<ProposalModel> Proposals { get; init; }
}
