namespace TrainInsight;

/// <summary>Where the text of an <see cref="AssistantAnswer"/> comes from.</summary>
public enum AssistantSource
{
    /// <summary>
    /// The diagnosis's rules wrote it: no chat client is registered, or the model failed, timed out, was over budget or
    /// returned output that could not be used. <see cref="AssistantAnswer.Notice"/> says which.
    /// </summary>
    Rules,

    /// <summary>The host's chat client (the model) wrote it.</summary>
    Model,
}
