using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

// The shapes of the /api/assistant endpoints' bodies are for their OpenAPI description only: AssistantRequestReader reads
// the bodies itself, so that every malformed one gets a precise problem+json.

/// <summary>The body of POST /api/assistant/suggest and /api/assistant/diagnose.</summary>
internal sealed class AssistantRequestModel
{
    [JsonPropertyName("run_id")]
    [Description("The run: 1 to 128 letters, digits, '-', '_' or '.'.")]
    public required string RunId { get; init; }

    [JsonPropertyName("language")]
    [Description("The language to answer in, as a BCP 47 tag such as en or zh-CN (at most 35 letters, digits and '-'). The default is the assistant's.")]
    public string? Language { get; init; }
}
