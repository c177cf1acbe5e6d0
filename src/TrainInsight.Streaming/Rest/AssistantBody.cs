namespace TrainInsight.Streaming.Rest;

/// <summary>A read /api/assistant body: the Core request (an <see cref="AssistantChatRequest"/> for chat) and "stream", when given.</summary>
internal sealed record AssistantBody(AssistantRequest Request, bool? Stream);
