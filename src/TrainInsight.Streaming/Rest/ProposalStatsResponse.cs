using System.ComponentModel;
using System.Text.Json.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>GET /api/assistant/stats: the adoption and efficacy of proposals (see <see cref="ProposalStatistics"/>).</summary>
internal sealed record ProposalStatsResponse
{
    [JsonPropertyName("run_id")]
    [Description("The run the statistics cover; absent when they cover every run.")]
    public string? RunId { get; init; }

    [JsonPropertyName("overall")]
    [Description("Every proposal counted.")]
    public required ProposalCountsModel Overall { get; init; }

    [JsonPropertyName("by_run")]
    [Description("Per run, by run id.")]
    public required IReadOnlyDictionary<string, ProposalCountsModel> ByRun { get; init; }

    [JsonPropertyName("by_source")]
    [Description("Per source: rule, model, command, revert, external (only the sources that made a proposal).")]
    public required IReadOnlyDictionary<string, ProposalCountsModel> BySource { get; init; }

    [JsonPropertyName("by_action")]
    [Description("Per control action (a proposal counts once under each action it holds).")]
    public required IReadOnlyDictionary<string, ProposalCountsModel> ByAction { get; init; }

    public static ProposalStatsResponse From(string? runId, ProposalStatistics statistics) => new()
    {
        RunId = runId,
        Overall = ProposalCountsModel.From(statistics.Overall),
        ByRun = statistics.ByRun.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => ProposalCountsModel.From(p.Value), StringComparer.Ordinal),
        BySource = statistics.BySource.OrderBy(p => p.Key).ToDictionary(p => WireNames.Source(p.Key), p => ProposalCountsModel.From(p.Value), StringComparer.Ordinal),
        ByAction = statistics.ByAction.OrderBy(p => p.Key).ToDictionary(p => WireNames.Action(p.Key), p => ProposalCountsModel.From(p.Value), StringComparer.Ordinal),
    };
}
