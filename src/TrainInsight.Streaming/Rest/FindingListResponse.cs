using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>GET /api/runs/{id}/findings (for the OpenAPI description; RunEndpoints writes it from the encoded events).</summary>
internal sealed record FindingListResponse(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("findings")] IReadOnlyList<FindingEventModel> Findings);
