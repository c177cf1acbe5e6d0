namespace TrainInsight.Llm;

/// <summary>Where the text of a <see cref="TrainingAnalysis"/> comes from.</summary>
public enum AnalysisSource
{
    /// <summary>The diagnosis's findings wrote it: no chat client is registered, or the chat client failed or timed out.</summary>
    Rules,

    /// <summary>The host's <c>IChatClient</c> wrote it from the run's summary and the diagnosis's findings.</summary>
    ChatClient,
}
