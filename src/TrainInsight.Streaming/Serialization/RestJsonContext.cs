using System.Text.Json.Serialization;
using TrainInsight.Streaming.Rest;

namespace TrainInsight.Streaming.Serialization;

/// <summary>
/// Source-generated serialization of the REST documents: snake_case names, nulls omitted, and non-finite numbers as
/// the strings "NaN", "Infinity" and "-Infinity" (the properties that may hold them say so with [JsonNumberHandling]).
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunListResponse))]
[JsonSerializable(typeof(RunDetail))]
[JsonSerializable(typeof(MetricPointsResponse))]
[JsonSerializable(typeof(CommandListResponse))]
[JsonSerializable(typeof(FindingDataModel))]
[JsonSerializable(typeof(ProposalModel))]
[JsonSerializable(typeof(ProposalListResponse))]
[JsonSerializable(typeof(ProposalStatsResponse))]
[JsonSerializable(typeof(AssistantAnalysisDataModel))]
internal sealed partial class RestJsonContext : JsonSerializerContext;
