using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>The tokens the model reported for an assistant answer.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AssistantUsageModel(
    [property: JsonPropertyName("input_tokens"), Description("Input tokens of every model call of the answer together; null when the model reported none (always for rules answers without a model call).")] long? InputTokens,
    [property: JsonPropertyName("output_tokens"), Description("Output tokens of every model call of the answer together; null when the model reported none.")] long? OutputTokens);
