using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>The <c>data</c> of an <c>assistant_analysis</c> event: WireFormat serializes it with <see cref="Serialization.RestJsonContext"/>.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AssistantAnalysisDataModel
{
    [JsonPropertyName("trigger")]
    [Description("What started it: finding (a new warning-or-worse finding) or epoch (an epoch ended).")]
    public required string Trigger { get; init; }

    [JsonPropertyName("source")]
    [Description("model (the host's chat client wrote the text) or rules.")]
    public required string Source { get; init; }

    [JsonPropertyName("text")]
    [Description("The analysis.")]
    public required string Text { get; init; }

    [JsonPropertyName("step")]
    [Description("The step the analysis looked at last.")]
    public long? Step { get; init; }

    [JsonPropertyName("epoch")]
    [Description("The epoch that ended (trigger epoch).")]
    public int? Epoch { get; init; }

    [JsonPropertyName("finding_id")]
    [Description("The finding that started it (trigger finding).")]
    public string? FindingId { get; init; }

    [JsonPropertyName("language")]
    [Description("The language of the text, as a BCP 47 tag.")]
    public string? Language { get; init; }

    [JsonPropertyName("notice")]
    [Description("Why the rules answered instead of the model.")]
    public string? Notice { get; init; }

    [JsonPropertyName("model_id")]
    [Description("The model that wrote it.")]
    public string? ModelId { get; init; }

    [JsonPropertyName("proposal_ids")]
    [Description("The proposals the analysis made (each also a proposal event).")]
    public required IReadOnlyList<string> ProposalIds { get; init; }

    public static AssistantAnalysisDataModel From(AssistantAnalysisEvent analysis) => new()
    {
        Trigger = analysis.Trigger,
        Source = Serialization.AssistantJson.Source(analysis.Source),
        Text = analysis.Text,
        Step = analysis.Step,
        Epoch = analysis.Epoch,
        FindingId = analysis.FindingId,
        Language = analysis.Language,
        Notice = analysis.Notice,
        ModelId = analysis.ModelId,
        ProposalIds = analysis.ProposalIds,
    };
}
