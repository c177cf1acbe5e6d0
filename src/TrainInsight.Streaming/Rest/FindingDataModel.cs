using System.ComponentModel;
using System.Text.Json.Serialization;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// The <c>data</c> of a <c>finding</c> event, on the streams and in GET /api/runs/{id}/findings: WireFormat serializes it
/// with <see cref="RestJsonContext"/>, so the OpenAPI schema is the shape that is sent.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record FindingDataModel
{
    [JsonPropertyName("finding_id")]
    [Description("The finding's stable id, the same in every revision.")]
    public required string FindingId { get; init; }

    [JsonPropertyName("label")]
    [Description("What was found: divergence, learning_rate_too_high, learning_rate_too_low, overfitting, vanishing_gradients, exploding_gradients, dying_relu, saturated_activations, plateau, label_noise, unnormalized_input, unshuffled_data, missing_zero_grad, data_loader_bottleneck, signals_missing; other labels may appear.")]
    public required string Label { get; init; }

    [JsonPropertyName("severity")]
    [Description("info, warning or critical.")]
    public required string Severity { get; init; }

    [JsonPropertyName("state")]
    [Description("open (raised or updated) or resolved.")]
    public required string State { get; init; }

    [JsonPropertyName("message")]
    [Description("An explanation with the numbers behind it.")]
    public required string Message { get; init; }

    [JsonPropertyName("confidence")]
    [Description("How sure the detector is, from 0 to 1.")]
    public required double Confidence { get; init; }

    [JsonPropertyName("revision")]
    [Description("1 when raised, then one more for each update and for the resolution.")]
    public required int Revision { get; init; }

    [JsonPropertyName("first_step")]
    [Description("The step at which the finding was first raised.")]
    public required long FirstStep { get; init; }

    [JsonPropertyName("step")]
    [Description("The step of this revision (the latest evidence, or where it resolved).")]
    public required long Step { get; init; }

    [JsonPropertyName("first_seen_at")]
    [Description("When the finding was first raised, in Unix seconds.")]
    public required double FirstSeenAt { get; init; }

    [JsonPropertyName("evidence")]
    [Description("The measurements behind the finding.")]
    public required IReadOnlyList<FindingEvidenceModel> Evidence { get; init; }

    [JsonPropertyName("fixes")]
    [Description("Suggested fixes, the most promising first. Nothing applies them by itself.")]
    public required IReadOnlyList<SuggestedFixModel> Fixes { get; init; }

    public static FindingDataModel From(FindingEvent finding)
    {
        var evidence = new FindingEvidenceModel[finding.Evidence.Count];
        for (var i = 0; i < evidence.Length; i++)
        {
            var item = finding.Evidence[i];
            evidence[i] = new FindingEvidenceModel(item.Metric, item.Value, item.Step, item.Description, item.Threshold);
        }

        var fixes = new SuggestedFixModel[finding.Fixes.Count];
        for (var i = 0; i < fixes.Length; i++)
        {
            var fix = finding.Fixes[i];
            fixes[i] = new SuggestedFixModel(
                fix.Id,
                FindingWireNames.Kind(fix.Kind),
                fix.Title,
                fix.Rationale,
                [.. fix.Commands.Select(FixCommandModel.From)]);
        }

        return new FindingDataModel
        {
            FindingId = finding.FindingId,
            Label = finding.Label,
            Severity = FindingWireNames.Severity(finding.Severity),
            State = FindingWireNames.State(finding.State),
            Message = finding.Message,
            Confidence = finding.Confidence,
            Revision = finding.Revision,
            FirstStep = finding.FirstStep,
            Step = finding.Step,
            FirstSeenAt = WireNames.UnixSeconds(finding.FirstSeenAt),
            Evidence = evidence,
            Fixes = fixes,
        };
    }
}
