namespace TrainInsight;

/// <summary>What an <see cref="AssistantUpdate"/> of a streamed answer carries.</summary>
public enum AssistantUpdateKind
{
    /// <summary>The next piece of the answer's text, in <see cref="AssistantUpdate.Text"/>.</summary>
    Delta,

    /// <summary>
    /// The model failed part way: discard the text received so far. The rules' answer follows as deltas;
    /// <see cref="AssistantUpdate.Text"/> says why.
    /// </summary>
    Reset,

    /// <summary>The answer is complete; <see cref="AssistantUpdate.Answer"/> holds all of it. Always the last update.</summary>
    Completed,
}
