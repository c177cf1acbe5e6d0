using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>How a group of proposals fared, in GET /api/assistant/stats (see <see cref="ProposalCounts"/>).</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record ProposalCountsModel(
    [property: JsonPropertyName("proposed"), Description("Proposals made.")] int Proposed,
    [property: JsonPropertyName("pending"), Description("Still waiting for a person.")] int Pending,
    [property: JsonPropertyName("approved"), Description("Approved by a person or by the auto-apply policy (applied, failed or still queued).")] int Approved,
    [property: JsonPropertyName("auto_applied"), Description("Of approved, those the auto-apply policy approved.")] int AutoApplied,
    [property: JsonPropertyName("rejected"), Description("Rejected by a person.")] int Rejected,
    [property: JsonPropertyName("expired"), Description("Expired before anybody decided.")] int Expired,
    [property: JsonPropertyName("applied"), Description("Applied by the trainer.")] int Applied,
    [property: JsonPropertyName("failed"), Description("Failed after approval (the trainer rejected a command, or it could not be queued).")] int Failed,
    [property: JsonPropertyName("measured"), Description("Applied proposals with a measured outcome.")] int Measured,
    [property: JsonPropertyName("helped"), Description("Measured outcomes that helped.")] int Helped,
    [property: JsonPropertyName("no_effect"), Description("Measured outcomes with no effect.")] int NoEffect,
    [property: JsonPropertyName("hurt"), Description("Measured outcomes that hurt.")] int Hurt,
    [property: JsonPropertyName("adoption_rate"), JsonIgnore(Condition = JsonIgnoreCondition.Never), Description("(approved − auto_applied) ÷ (proposed − pending − auto_applied): the share of the proposals put to a person and settled that a person approved; null when none was settled.")] double? AdoptionRate,
    [property: JsonPropertyName("helped_rate"), JsonIgnore(Condition = JsonIgnoreCondition.Never), Description("helped ÷ measured; null when none was measured.")] double? HelpedRate)
{
    public static ProposalCountsModel From(ProposalCounts counts) => new(
        counts.Proposed, counts.Pending, counts.Approved, counts.AutoApplied, counts.Rejected, counts.Expired, counts.Applied, counts.Failed,
        counts.Measured, counts.Helped, counts.NoEffect, counts.Hurt, counts.AdoptionRate, counts.HelpedRate);
}
