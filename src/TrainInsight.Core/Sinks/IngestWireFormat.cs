using System.Text.Json.Serialization;

namespace TrainInsight.Internal;

// The client side of POST /api/ingest (docs/ingest.md). The server has its own copy of these shapes in
// TrainInsight.Streaming; the document is the contract between them.

/// <summary>Builds ingest request bodies from bus events.</summary>
internal static class IngestWireFormat
{
    /// <summary>Serializes <paramref name="events"/> (in bus order) as one batch, one entry per run in order of first appearance.</summary>
    public static byte[] Serialize(IReadOnlyList<TrainInsightEvent> events)
    {
        var runs = new List<IngestRunPart>();
        var byId = new Dictionary<string, IngestRunPart>(StringComparer.Ordinal);
        foreach (var item in events)
        {
            if (!byId.TryGetValue(item.RunId, out var part))
            {
                part = new IngestRunPart { Run = ToWire(item.Run) };
                byId.Add(item.RunId, part);
                runs.Add(part);
            }

            part.Events.Add(ToWire(item));
        }

        return System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new IngestBatchBody { Runs = runs }, IngestSinkJsonContext.Default.IngestBatchBody);
    }

    /// <summary>Whether the sink forwards the event: metric points and training events other than control acknowledgements.</summary>
    public static bool IsForwarded(TrainInsightEvent item) =>
        item is MetricEvent || (item is TrainingEvent training && training.Kind != TrainingEventKind.ControlApplied);

    private static IngestRunInfo ToWire(RunDescriptor run) => new()
    {
        Id = run.Id,
        Name = run.Name,
        ModelName = run.ModelName,
        ParameterCount = run.ParameterCount,
        TotalEpochs = run.TotalEpochs,
        StepsPerEpoch = run.StepsPerEpoch,
        StartedAt = UnixSeconds(run.StartedAt),
    };

    private static IngestEventBody ToWire(TrainInsightEvent item)
    {
        var body = new IngestEventBody { Sequence = item.Sequence, Timestamp = UnixSeconds(item.Timestamp) };
        switch (item)
        {
            case MetricEvent metrics:
                body.Type = "metrics_update";
                body.Step = metrics.Step;
                body.Epoch = metrics.Epoch;
                body.Batch = metrics.Batch;
                body.Values = metrics.Values;
                break;
            case TrainingEvent training:
                body.Type = "training_event";
                body.Kind = KindName(training.Kind);
                body.State = training.State is { } state ? StateName(state) : null;
                body.Step = training.Step;
                body.Epoch = training.Epoch;
                body.Metrics = training.Metrics.Count > 0 ? training.Metrics : null;
                body.CheckpointPath = training.CheckpointPath;
                body.Message = training.Message;
                break;
        }

        return body;
    }

    private static string KindName(TrainingEventKind kind) => kind switch
    {
        TrainingEventKind.RunStarted => "run_started",
        TrainingEventKind.RunFinished => "run_finished",
        TrainingEventKind.EpochCompleted => "epoch_completed",
        _ => "checkpoint_saved",
    };

    private static string StateName(RunState state) => state switch
    {
        RunState.Training => "training",
        RunState.Paused => "paused",
        RunState.Stopped => "stopped",
        RunState.Completed => "completed",
        _ => "failed",
    };

    private static double UnixSeconds(DateTimeOffset timestamp) => timestamp.ToUnixTimeMilliseconds() / 1000.0;
}

internal sealed class IngestBatchBody
{
    public required List<IngestRunPart> Runs { get; init; }
}

internal sealed class IngestRunPart
{
    public required IngestRunInfo Run { get; init; }

    public List<IngestEventBody> Events { get; } = [];
}

internal sealed class IngestRunInfo
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? ModelName { get; init; }

    public long? ParameterCount { get; init; }

    public int? TotalEpochs { get; init; }

    public int? StepsPerEpoch { get; init; }

    public double StartedAt { get; init; }
}

internal sealed class IngestEventBody
{
    public string Type { get; set; } = "";

    public long Sequence { get; set; }

    public double Timestamp { get; set; }

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

/// <summary>The server's 200/202 answer: how many events it published and how many it had already.</summary>
internal sealed class IngestReply
{
    public long Accepted { get; set; }

    public long Duplicates { get; set; }
}

/// <summary>Reflection-free serialization: snake_case, non-finite numbers as "NaN", "Infinity", "-Infinity".</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(IngestBatchBody))]
[JsonSerializable(typeof(IngestReply))]
internal sealed partial class IngestSinkJsonContext : JsonSerializerContext;
