using System.Text.Json;
using TrainInsight.Wire;

namespace TrainInsight.HttpIngest.Internal;

/// <summary>Builds <c>POST /api/ingest</c> request bodies (docs/ingest.md) from bus events.</summary>
internal static class IngestBatchBuilder
{
    /// <summary>
    /// Whether the sink forwards the event: metric updates and the training events a trainer reports. Control
    /// acknowledgements belong to the local host's commands, and a lost notice is the local bus's judgement: the central
    /// server judges liveness for itself.
    /// </summary>
    public static bool IsForwarded(TrainInsightEvent item) =>
        item is MetricEvent || (item is TrainingEvent training && WireNames.IsIngestKind(training.Kind));

    /// <summary>Serializes <paramref name="events"/> (in bus order) as one batch, one entry per run in order of first appearance.</summary>
    public static byte[] Serialize(IReadOnlyList<TrainInsightEvent> events)
    {
        var runs = new List<IngestRunDto?>();
        var byId = new Dictionary<string, IngestRunDto>(StringComparer.Ordinal);
        foreach (var item in events)
        {
            if (!byId.TryGetValue(item.RunId, out var part))
            {
                part = new IngestRunDto { Run = ToWire(item.Run), Events = [] };
                byId.Add(item.RunId, part);
                runs.Add(part);
            }

            part.Events!.Add(ToWire(item));
        }

        return JsonSerializer.SerializeToUtf8Bytes(new IngestBatchDto { Runs = runs }, IngestJsonContext.Default.IngestBatchDto);
    }

    private static IngestRunInfoDto ToWire(RunDescriptor run) => new()
    {
        Id = run.Id,
        Name = run.Name,
        ModelName = run.ModelName,
        ParameterCount = run.ParameterCount,
        TotalEpochs = run.TotalEpochs,
        StepsPerEpoch = run.StepsPerEpoch,
        StartedAt = WireNames.UnixSeconds(run.StartedAt),
        Hyperparameters = run.Hyperparameters.Count > 0 ? run.Hyperparameters : null,
    };

    private static IngestEventDto ToWire(TrainInsightEvent item)
    {
        var body = new IngestEventDto { Sequence = item.Sequence, Timestamp = WireNames.UnixSeconds(item.Timestamp) };
        switch (item)
        {
            case MetricEvent metrics:
                body.Type = IngestEventDto.MetricsUpdate;
                body.Step = metrics.Step;
                body.Epoch = metrics.Epoch;
                body.Batch = metrics.Batch;
                body.Values = metrics.Values;
                break;
            case TrainingEvent training:
                body.Type = IngestEventDto.TrainingEvent;
                body.Kind = WireNames.Kind(training.Kind);
                body.State = training.State is { } state ? WireNames.State(state) : null;
                body.Step = training.Step;
                body.Epoch = training.Epoch;
                body.Metrics = training.Metrics.Count > 0 ? training.Metrics : null;
                body.CheckpointPath = training.CheckpointPath;
                body.Message = training.Message;
                break;
        }

        return body;
    }
}
