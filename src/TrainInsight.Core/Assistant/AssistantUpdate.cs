namespace TrainInsight;

/// <summary>One update of a streamed <see cref="ITrainingAssistant"/> answer.</summary>
public sealed class AssistantUpdate
{
    private AssistantUpdate(AssistantUpdateKind kind, string? text, AssistantAnswer? answer)
    {
        Kind = kind;
        Text = text;
        Answer = answer;
    }

    /// <summary>Gets what the update carries.</summary>
    public AssistantUpdateKind Kind { get; }

    /// <summary>
    /// Gets the next piece of text (<see cref="AssistantUpdateKind.Delta"/>) or why the text so far is discarded
    /// (<see cref="AssistantUpdateKind.Reset"/>); <see langword="null"/> for <see cref="AssistantUpdateKind.Completed"/>.
    /// </summary>
    public string? Text { get; }

    /// <summary>Gets the whole answer for <see cref="AssistantUpdateKind.Completed"/>; otherwise <see langword="null"/>.</summary>
    public AssistantAnswer? Answer { get; }

    /// <summary>Creates a <see cref="AssistantUpdateKind.Delta"/> update.</summary>
    /// <param name="text">The next piece of text; not empty.</param>
    /// <returns>The update.</returns>
    public static AssistantUpdate Delta(string text)
    {
        ArgumentException.ThrowIfNullOrEmpty(text);
        return new AssistantUpdate(AssistantUpdateKind.Delta, text, null);
    }

    /// <summary>Creates a <see cref="AssistantUpdateKind.Reset"/> update.</summary>
    /// <param name="reason">Why the text so far is discarded.</param>
    /// <returns>The update.</returns>
    public static AssistantUpdate Reset(string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new AssistantUpdate(AssistantUpdateKind.Reset, reason, null);
    }

    /// <summary>Creates the <see cref="AssistantUpdateKind.Completed"/> update.</summary>
    /// <param name="answer">The whole answer.</param>
    /// <returns>The update.</returns>
    public static AssistantUpdate Completed(AssistantAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new AssistantUpdate(AssistantUpdateKind.Completed, null, answer);
    }
}
