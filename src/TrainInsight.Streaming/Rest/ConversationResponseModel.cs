using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>GET /api/assistant/conversations/{conversation_id} (for the OpenAPI description; AssistantJson writes it).</summary>
internal sealed record ConversationResponseModel(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("conversation_id")] string ConversationId,
    [property: JsonPropertyName("messages")] IReadOnlyList<ConversationMessageModel> Messages);
