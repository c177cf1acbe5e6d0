using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>The body of POST /api/assistant/chat (for the OpenAPI description; see <see cref="AssistantRequestModel"/>).</summary>
internal sealed class AssistantChatRequestModel
{
    [JsonPropertyName("run_id")]
    [Description("The run the conversation is about: 1 to 128 letters, digits, '-', '_' or '.'.")]
    public required string RunId { get; init; }

    [JsonPropertyName("message")]
    [Description("The user's message: not empty or white space, at most 8,000 characters.")]
    public required string Message { get; init; }

    [JsonPropertyName("conversation_id")]
    [Description("The conversation the message continues (1 to 128 letters, digits, '-', '_' or '.'); absent to start one, whose id comes back in the answer.")]
    public string? ConversationId { get; init; }

    [JsonPropertyName("language")]
    [Description("The language to answer in, as a BCP 47 tag such as en or zh-CN. The default is the message's language (Chinese when it is mostly CJK text, else English).")]
    public string? Language { get; init; }

    [JsonPropertyName("stream")]
    [Description("true (the default): the answer as Server-Sent Events (delta, reset, answer); false: as one JSON answer.")]
    public bool? Stream { get; init; }
}
