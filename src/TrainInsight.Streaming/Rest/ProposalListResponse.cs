using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>GET /api/proposals: the latest revision of each proposal, the most recently made first.</summary>
internal sealed record ProposalListResponse(
    [property: JsonPropertyName("proposals")] IReadOnlyList<ProposalModel> Proposals);
