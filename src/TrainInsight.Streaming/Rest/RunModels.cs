using System.ComponentModel;
using System.Text.Json.Serialization;

namespace TrainInsight.Streaming.Rest;

// The JSON documents of the /api/runs endpoints (docs/protocol.md). Property names are spelled out with
// [JsonPropertyName] rather than left to a naming policy: the OpenAPI schemas are generated with the host's JSON
// options, which must describe the same names the endpoints write. Times are Unix seconds with millisecond precision,
// as in every other TrainInsight document; absent values are omitted (the serializer context ignores nulls).
// [JsonNumberHandling(Strict)] keeps the schemas' numbers numbers whatever the host's options (ASP.NET Core's web
// defaults read numbers from strings too, which the schemas would otherwise advertise).

/// <summary>GET /api/runs.</summary>
internal sealed record RunListResponse(
    [property: JsonPropertyName("runs")] IReadOnlyList<RunSummary> Runs);

/// <summary>One run as GET /api/runs lists it.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal record RunSummary
{
    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("model_name")]
    public string? ModelName { get; init; }

    [JsonPropertyName("parameter_count")]
    public long? ParameterCount { get; init; }

    [JsonPropertyName("total_epochs")]
    public int? TotalEpochs { get; init; }

    [JsonPropertyName("steps_per_epoch")]
    public int? StepsPerEpoch { get; init; }

    [JsonPropertyName("started_at")]
    [Description("When the run started, in Unix seconds.")]
    public required double StartedAt { get; init; }

    [JsonPropertyName("state")]
    [Description("training, paused, stopped, completed, failed or lost (no event for the server's lost-run timeout while training or paused; back to training when events resume).")]
    public required string State { get; init; }

    [JsonPropertyName("live")]
    [Description("Whether a trainer is attached to the run now and accepts control commands.")]
    public required bool Live { get; init; }

    [JsonPropertyName("first_event_at")]
    public required double FirstEventAt { get; init; }

    [JsonPropertyName("last_event_at")]
    public required double LastEventAt { get; init; }

    [JsonPropertyName("event_count")]
    public required long EventCount { get; init; }

    [JsonPropertyName("last_sequence")]
    public required long LastSequence { get; init; }

    [JsonPropertyName("last_offset")]
    public required long LastOffset { get; init; }

    [JsonPropertyName("last_step")]
    public long? LastStep { get; init; }

    [JsonPropertyName("last_epoch")]
    public int? LastEpoch { get; init; }

    [JsonPropertyName("metric_names")]
    public required IReadOnlyList<string> MetricNames { get; init; }

    [JsonPropertyName("hyperparameters")]
    [JsonConverter(typeof(TrainInsight.Wire.HyperparameterJsonConverter))]
    [Description("The run's hyperparameters (optimizer, learning_rate, lr_schedule, batch_size, …): numbers, strings and booleans by name. Absent when the run recorded none.")]
    public IReadOnlyDictionary<string, HyperparameterValue>? Hyperparameters { get; init; }
}

/// <summary>GET /api/runs/{id}: the summary plus the run's latest values.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record RunDetail : RunSummary
{
    [JsonPropertyName("latest")]
    [JsonPropertyOrder(1)] // after the summary's properties (the serializer writes a derived type's own first)
    [Description("The latest value of every metric, or absent when no metric is known.")]
    public LatestValues? Latest { get; init; }
}

/// <summary>The latest value of each metric of a run.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record LatestValues
{
    [JsonPropertyName("source")]
    [Description("live: merged across every update the server saw; store: only the values measured at the run's last stored step.")]
    public required string Source { get; init; }

    [JsonPropertyName("step")]
    public long? Step { get; init; }

    [JsonPropertyName("epoch")]
    public int? Epoch { get; init; }

    [JsonPropertyName("timestamp")]
    public required double Timestamp { get; init; }

    [JsonPropertyName("offset")]
    public required long Offset { get; init; }

    [JsonPropertyName("values")]
    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    [Description("Metric values by name; NaN and infinities are the strings \"NaN\", \"Infinity\" and \"-Infinity\".")]
    public required IReadOnlyDictionary<string, double> Values { get; init; }
}

/// <summary>GET /api/runs/{id}/metrics.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record MetricPointsResponse
{
    [JsonPropertyName("run_id")]
    public required string RunId { get; init; }

    [JsonPropertyName("points")]
    public required IReadOnlyList<MetricPointModel> Points { get; init; }

    [JsonPropertyName("next_since")]
    [Description("Present when more points may follow: pass it as since to read them.")]
    public long? NextSince { get; init; }

    [JsonPropertyName("downsampled")]
    [Description("Present with max_points: whether any point was left out.")]
    public bool? Downsampled { get; init; }

    [JsonPropertyName("source_points")]
    [Description("Present with max_points: how many points matched before downsampling.")]
    public long? SourcePoints { get; init; }
}

/// <summary>One stored metric value.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record MetricPointModel(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("step")] long Step,
    [property: JsonPropertyName("value"), JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double Value,
    [property: JsonPropertyName("timestamp")] double Timestamp,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("offset")] long Offset);

/// <summary>GET /api/runs/{id}/commands.</summary>
internal sealed record CommandListResponse(
    [property: JsonPropertyName("run_id")] string RunId,
    [property: JsonPropertyName("commands")] IReadOnlyList<CommandRecordModel> Commands);

/// <summary>One control command a run handled.</summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record CommandRecordModel
{
    [JsonPropertyName("command_id")]
    public required string CommandId { get; init; }

    [JsonPropertyName("action")]
    [Description("pause, resume, stop, set_learning_rate, set_weight_decay, save_checkpoint, evaluate, set_early_stopping or restore_checkpoint.")]
    public required string Action { get; init; }

    [JsonPropertyName("value")]
    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    [Description("The command's argument (set_learning_rate, set_weight_decay, set_early_stopping), as submitted; NaN and infinities are strings.")]
    public double? Value { get; init; }

    [JsonPropertyName("status")]
    [Description("applied or rejected.")]
    public required string Status { get; init; }

    [JsonPropertyName("issued_at")]
    public required double IssuedAt { get; init; }

    [JsonPropertyName("handled_at")]
    public required double HandledAt { get; init; }

    [JsonPropertyName("step")]
    public long? Step { get; init; }

    [JsonPropertyName("message")]
    [Description("The trainer's explanation: why the command was rejected; for an applied save_checkpoint the file written, for an applied evaluate the validation results.")]
    public string? Message { get; init; }

    [JsonPropertyName("offset")]
    [Description("The offset of the control_applied event that acknowledged the command.")]
    public required long Offset { get; init; }
}
