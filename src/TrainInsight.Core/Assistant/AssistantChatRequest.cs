namespace TrainInsight;

/// <summary>One message of a conversation with an <see cref="ITrainingAssistant"/> about a run.</summary>
public sealed class AssistantChatRequest : AssistantRequest
{
    /// <summary>The longest message accepted, in characters: 8,000.</summary>
    public const int MaxMessageLength = 8_000;

    private string? _conversationId;

    /// <summary>Initializes a new instance of the <see cref="AssistantChatRequest"/> class.</summary>
    /// <param name="runId">The run the conversation is about.</param>
    /// <param name="message">The user's message.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="runId"/> is invalid, or <paramref name="message"/> is empty, white space or longer than <see cref="MaxMessageLength"/>.
    /// </exception>
    public AssistantChatRequest(string runId, string message)
        : base(runId)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrWhiteSpace(message))
        {
            throw new ArgumentException("The message is empty: write a question or a request about the run.", nameof(message));
        }

        if (message.Length > MaxMessageLength)
        {
            throw new ArgumentException($"A message may have at most {MaxMessageLength:N0} characters; got {message.Length:N0}.", nameof(message));
        }

        Message = message;
    }

    /// <summary>Gets the user's message.</summary>
    public string Message { get; }

    /// <summary>
    /// Gets or sets the conversation this message continues, or <see langword="null"/> to start a new one (its id comes
    /// back in <see cref="AssistantAnswer.ConversationId"/>). The default is <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is not 1 to 128 letters, digits, '-', '_' or '.'.</exception>
    public string? ConversationId
    {
        get => _conversationId;
        set => _conversationId = value is null || RunDescriptor.IsValidId(value)
            ? value
            : throw new ArgumentException($"Conversation id '{value}' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'.", nameof(ConversationId));
    }
}
