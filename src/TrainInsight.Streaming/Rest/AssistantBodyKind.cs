namespace TrainInsight.Streaming.Rest;

/// <summary>Which /api/assistant body <see cref="AssistantRequestReader"/> reads.</summary>
internal enum AssistantBodyKind
{
    /// <summary>suggest and diagnose: run_id and language.</summary>
    Plain,

    /// <summary>analyze: run_id, language and stream.</summary>
    Analyze,

    /// <summary>chat: run_id, message, conversation_id, language and stream.</summary>
    Chat,
}
