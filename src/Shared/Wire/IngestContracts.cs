// Shared source: the one definition of the POST /api/ingest wire types (docs/ingest.md), compiled into the server
// (TrainInsight.Streaming) and the client (TrainInsight.HttpIngest). No public API.
using System.Text.Json.Serialization;

namespace TrainInsight.Wire;

// Every field is nullable so that the server can say exactly which one is missing; the JSON context below only checks
// types. Unknown fields are ignored.

/// <summary>The request body: <c>{"runs":[{"run":{…},"events":[…]},…]}</c>.</summary>
internal sealed class IngestBatchDto
{
    public List<IngestRunDto?>? Runs { get; set; }
}

/// <summary>One run's part of a batch: its description and its events in client sequence order.</summary>
internal sealed class IngestRunDto
{
    public IngestRunInfoDto? Run { get; set; }

    public List<IngestEventDto?>? Events { get; set; }
}

/// <summary>A <see cref="RunDescriptor"/> on the wire; <c>started_at</c> is Unix seconds.</summary>
internal sealed class IngestRunInfoDto
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    public string? ModelName { get; set; }

    public long? ParameterCount { get; set; }

    public int? TotalEpochs { get; set; }

    public int? StepsPerEpoch { get; set; }

    public double? StartedAt { get; set; }

    [JsonConverter(typeof(HyperparameterJsonConverter))]
    public IReadOnlyDictionary<string, HyperparameterValue>? Hyperparameters { get; set; }
}

/// <summary>A metric point (<c>"type":"metrics_update"</c>) or a training event (<c>"type":"training_event"</c>).</summary>
internal sealed class IngestEventDto
{
    public const string MetricsUpdate = "metrics_update";
    public const string TrainingEvent = "training_event";

    public string? Type { get; set; }

    public long? Sequence { get; set; }

    public double? Timestamp { get; set; }

    public long? Step { get; set; }

    public int? Epoch { get; set; }

    public int? Batch { get; set; }

    public IReadOnlyDictionary<string, double>? Values { get; set; }

    public string? Kind { get; set; }

    public string? State { get; set; }

    public IReadOnlyDictionary<string, double>? Metrics { get; set; }

    public string? CheckpointPath { get; set; }

    public string? Message { get; set; }
}

/// <summary>The 200/202 response body: how many events were published, how many the server had already, per run.</summary>
internal sealed class IngestResponseDto
{
    public long Accepted { get; set; }

    public long Duplicates { get; set; }

    public List<IngestRunResultDto> Runs { get; set; } = [];
}

/// <summary>What happened to one run's events.</summary>
internal sealed class IngestRunResultDto
{
    public string RunId { get; set; } = string.Empty;

    public long Accepted { get; set; }

    public long Duplicates { get; set; }

    public long LastSequence { get; set; }
}

/// <summary>
/// Source-generated (reflection-free) serialization of the ingest wire types: snake_case names, and the strings "NaN",
/// "Infinity" and "-Infinity" for non-finite numbers.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestBatchDto))]
[JsonSerializable(typeof(IngestResponseDto))]
internal sealed partial class IngestJsonContext : JsonSerializerContext;
