namespace TrainInsight.Llm;

/// <summary>The result of <see cref="TrainingAnalyst.AnalyzeAsync"/>: what the rules found and an answer in words.</summary>
public sealed class TrainingAnalysis
{
    /// <summary>Gets the id of the run analyzed.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets where <see cref="Text"/> comes from.</summary>
    public required AnalysisSource Source { get; init; }

    /// <summary>
    /// Gets the run's open findings from the diagnosis (latest revision of each), most severe first; empty when the diagnosis
    /// found nothing (or has not seen enough of the run yet).
    /// </summary>
    public required IReadOnlyList<FindingEvent> Findings { get; init; }

    /// <summary>Gets whether no open finding is of <see cref="FindingSeverity.Warning"/> or worse.</summary>
    public bool IsHealthy => Findings.All(f => f.Severity < FindingSeverity.Warning);

    /// <summary>Gets the answer: the chat client's text, or a summary of the findings written by the rules.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// Gets why the answer comes from rules (no chat client is registered, or it failed or timed out), or
    /// <see langword="null"/> when the chat client answered.
    /// </summary>
    public string? Notice { get; init; }
}
