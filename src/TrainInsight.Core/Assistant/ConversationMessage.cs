namespace TrainInsight;

/// <summary>One message of a conversation about a run, as the stores keep it.</summary>
public sealed class ConversationMessage
{
    /// <summary>Gets the run the conversation is about.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the conversation's id.</summary>
    public required string ConversationId { get; init; }

    /// <summary>Gets who wrote it.</summary>
    public required ConversationRole Role { get; init; }

    /// <summary>Gets the text.</summary>
    public required string Text { get; init; }

    /// <summary>Gets when it was written.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets where an assistant message came from; <see langword="null"/> for a user message.</summary>
    public AssistantSource? Source { get; init; }
}
