namespace TrainInsight;

/// <summary>
/// An analysis the assistant made on its own (automatic analysis, opt-in): after a new warning-or-worse finding or at an
/// epoch's end, published on the bus so that dashboards and streams show it live, with the proposals it made.
/// </summary>
public sealed class AssistantAnalysisEvent : TrainInsightEvent
{
    private static readonly IReadOnlyList<string> s_none = [];

    /// <summary>Initializes a new instance of the <see cref="AssistantAnalysisEvent"/> class.</summary>
    /// <param name="run">The run analysed.</param>
    /// <param name="trigger">What started it: <c>finding</c> or <c>epoch</c>.</param>
    /// <param name="source">Whether the model or the rules wrote <paramref name="text"/>.</param>
    /// <param name="text">The analysis.</param>
    /// <param name="timestamp">When it was made. The default is now.</param>
    /// <exception cref="ArgumentException">A text is empty, or <paramref name="source"/> is undefined.</exception>
    public AssistantAnalysisEvent(RunDescriptor run, string trigger, AssistantSource source, string text, DateTimeOffset? timestamp = null)
        : base(run, timestamp)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(trigger);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (!Enum.IsDefined(source))
        {
            throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown assistant source.");
        }

        Trigger = trigger;
        Source = source;
        Text = text;
    }

    /// <summary>Gets what started the analysis: <c>finding</c> or <c>epoch</c>.</summary>
    public string Trigger { get; }

    /// <summary>Gets whether the model or the rules wrote <see cref="Text"/>.</summary>
    public AssistantSource Source { get; }

    /// <summary>Gets the analysis.</summary>
    public string Text { get; }

    /// <summary>Gets or initializes the step the analysis looked at last, or <see langword="null"/>.</summary>
    public long? Step { get; init; }

    /// <summary>Gets or initializes the epoch that ended (for the <c>epoch</c> trigger), or <see langword="null"/>.</summary>
    public int? Epoch { get; init; }

    /// <summary>Gets or initializes the finding that started it (for the <c>finding</c> trigger), or <see langword="null"/>.</summary>
    public string? FindingId { get; init; }

    /// <summary>Gets or initializes the answer's language (BCP 47), or <see langword="null"/>.</summary>
    public string? Language { get; init; }

    /// <summary>Gets or initializes why the rules answered instead of the model, or <see langword="null"/>.</summary>
    public string? Notice { get; init; }

    /// <summary>Gets or initializes the model that wrote it, or <see langword="null"/>.</summary>
    public string? ModelId { get; init; }

    /// <summary>Gets or initializes the ids of the proposals the analysis made. The default is empty.</summary>
    public IReadOnlyList<string> ProposalIds { get; init => field = value ?? s_none; } = s_none;
}
