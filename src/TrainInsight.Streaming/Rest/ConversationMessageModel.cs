using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>One message of a conversation with the assistant.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record ConversationMessageModel(
    [property: JsonPropertyName("role"), Description("user or assistant.")] string Role,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("timestamp"), Description("When it was written, in Unix seconds.")] double Timestamp,
    [property: JsonPropertyName("source"), Description("For an assistant message, model or rules; null for a user message.")] string? Source);
