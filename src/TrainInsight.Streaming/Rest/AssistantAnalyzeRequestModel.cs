using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>The body of POST /api/assistant/analyze (for the OpenAPI description; see <see cref="AssistantRequestModel"/>).</summary>
internal sealed class AssistantAnalyzeRequestModel
{
    [JsonPropertyName("run_id")]
    [Description("The run: 1 to 128 letters, digits, '-', '_' or '.'.")]
    public required string RunId { get; init; }

    [JsonPropertyName("language")]
    [Description("The language to answer in, as a BCP 47 tag such as en or zh-CN (at most 35 letters, digits and '-'). The default is the assistant's.")]
    public string? Language { get; init; }

    [JsonPropertyName("stream")]
    [Description("true: the answer as Server-Sent Events (delta, reset, answer); false: as one JSON answer. When absent, an Accept header that ranks text/event-stream above application/json streams.")]
    public bool? Stream { get; init; }
}
