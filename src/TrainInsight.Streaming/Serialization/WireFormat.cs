using System.Buffers;
using System.Globalization;
using System.Text.Json;
using TrainInsight.Streaming.Rest;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Serialization;

/// <summary>
/// Writes events in the wire formats of docs/protocol.md. Fields a run does not have are omitted, never invented.
/// Non-finite numbers are written as the strings "NaN", "Infinity" and "-Infinity".
/// </summary>
internal static class WireFormat
{
    public const string MetricsUpdate = "metrics_update";
    public const string TrainingEventType = "training_event";
    public const string GapType = "gap";
    public const string FindingType = "finding";
    public const string ProposalType = "proposal";
    public const string AssistantAnalysisType = "assistant_analysis";

    // Metric names written at the top level of "data"; every other name goes into "advanced_metrics".
    private static readonly HashSet<string> s_topLevel = new(StringComparer.Ordinal)
    {
        MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy,
        MetricNames.LearningRate, MetricNames.GpuMemoryUsed, MetricNames.GpuMemoryTotal, MetricNames.SamplesPerSecond,
        MetricNames.BestAccuracy,
    };

    // The largest eta FormatEta can format: TimeSpan.FromSeconds throws beyond TimeSpan.MaxValue.
    private static readonly double s_maxEtaSeconds = TimeSpan.MaxValue.TotalSeconds;

    /// <summary>Gets the SSE "event:" field / WebSocket "message_type" of an event.</summary>
    public static string EventType(TrainInsightEvent item) => item switch
    {
        MetricEvent => MetricsUpdate,
        GapEvent => GapType,
        FindingEvent => FindingType,
        ProposalEvent => ProposalType,
        AssistantAnalysisEvent => AssistantAnalysisType,
        _ => TrainingEventType,
    };

    /// <summary>The SSE "data:" payload: {"timestamp","event_type",("event"),"run_id","sequence","offset","data"}.</summary>
    public static byte[] SerializeSse(TrainInsightEvent item) => Serialize(item, "event_type");

    /// <summary>The WebSocket message: {"message_type",("event"),"timestamp","run_id","sequence","offset","data"}.</summary>
    public static byte[] SerializeWebSocket(TrainInsightEvent item) => Serialize(item, "message_type");

    /// <summary>Writes the /api/metrics/current document.</summary>
    public static void WriteSnapshot(Utf8JsonWriter writer, MetricsSnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteString("run_id", snapshot.Run.Id);
        writer.WriteString("run_name", snapshot.Run.Name);
        writer.WriteString("model_state", WireNames.State(snapshot.State));
        writer.WriteNumber("timestamp", WireNames.UnixSeconds(snapshot.Timestamp));
        writer.WriteNumber("sequence", snapshot.Sequence);
        writer.WriteNumber("offset", snapshot.Offset);
        writer.WritePropertyName("data");
        WriteMetricData(writer, snapshot.Run, snapshot.Step, snapshot.Epoch, snapshot.Batch, snapshot.Values);
        writer.WriteEndObject();
    }

    /// <summary>
    /// Whether a control action requires a value (the set_ actions: the rate, the decay, the patience); the others refuse one.
    /// </summary>
    public static bool ActionTakesValue(ControlAction action) =>
        action is ControlAction.SetLearningRate or ControlAction.SetWeightDecay or ControlAction.SetEarlyStopping;

    /// <summary>Whether a control action requires a path (restore_checkpoint: the checkpoint); the others refuse one.</summary>
    public static bool ActionTakesPath(ControlAction action) => action is ControlAction.RestoreCheckpoint;

    /// <summary>Formats seconds as "hh:mm:ss" ("d.hh:mm:ss" from one day on).</summary>
    public static string FormatEta(double seconds)
    {
        var span = TimeSpan.FromSeconds(Math.Round(seconds));
        return span.TotalDays >= 1
            ? span.ToString(@"d\.hh\:mm\:ss", CultureInfo.InvariantCulture)
            : span.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture);
    }

    private static byte[] Serialize(TrainInsightEvent item, string typeKey)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            var typeFirst = typeKey == "message_type";
            if (typeFirst)
            {
                WriteType(writer, item, typeKey);
                writer.WriteNumber("timestamp", WireNames.UnixSeconds(item.Timestamp));
            }
            else
            {
                writer.WriteNumber("timestamp", WireNames.UnixSeconds(item.Timestamp));
                WriteType(writer, item, typeKey);
            }

            writer.WriteString("run_id", item.RunId);
            if (item is not GapEvent)
            {
                // A gap is not an event of the bus: it has no sequence or offset of its own.
                writer.WriteNumber("sequence", item.Sequence);
                writer.WriteNumber("offset", item.Offset);
            }

            writer.WritePropertyName("data");
            switch (item)
            {
                case GapEvent gap:
                    writer.WriteStartObject();
                    writer.WriteNumber("missed", gap.MissedCount);
                    writer.WriteNumber("first_offset", gap.FirstMissedOffset);
                    writer.WriteNumber("last_offset", gap.LastMissedOffset);
                    if (gap.FirstMissedSequence > 0)
                    {
                        writer.WriteNumber("first_sequence", gap.FirstMissedSequence);
                    }

                    writer.WriteEndObject();
                    break;
                case MetricEvent metrics:
                    WriteMetricData(writer, metrics.Run, metrics.Step, metrics.Epoch, metrics.Batch, metrics.Values);
                    break;
                case TrainingEvent training:
                    WriteTrainingData(writer, training);
                    break;
                case FindingEvent finding:
                    // The same model (and so the same shape) as the OpenAPI schema of GET /api/runs/{id}/findings.
                    JsonSerializer.Serialize(writer, FindingDataModel.From(finding), RestJsonContext.Default.FindingDataModel);
                    break;
                case ProposalEvent proposal:
                    // The same model as the documents of /api/proposals (which have no envelope: see ProposalEndpoints).
                    JsonSerializer.Serialize(writer, ProposalModel.From(proposal), RestJsonContext.Default.ProposalModel);
                    break;
                case AssistantAnalysisEvent analysis:
                    JsonSerializer.Serialize(writer, AssistantAnalysisDataModel.From(analysis), RestJsonContext.Default.AssistantAnalysisDataModel);
                    break;
                default:
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                    break;
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteType(Utf8JsonWriter writer, TrainInsightEvent item, string typeKey)
    {
        writer.WriteString(typeKey, EventType(item));
        if (item is TrainingEvent training)
        {
            writer.WriteString("event", WireNames.Kind(training.Kind));
        }
    }

    private static void WriteMetricData(
        Utf8JsonWriter writer, RunDescriptor run, long? step, int? epoch, int? batch, IReadOnlyDictionary<string, double> values)
    {
        writer.WriteStartObject();
        if (step is { } s)
        {
            writer.WriteNumber("step", s);
        }

        if (epoch is { } e)
        {
            writer.WriteNumber("epoch", e);
        }

        if (batch is { } b)
        {
            writer.WriteNumber("batch", b);
        }

        var advanced = 0;
        foreach (var (name, value) in values)
        {
            if (s_topLevel.Contains(name))
            {
                WriteNumber(writer, name, value);
            }
            else if (name is not (MetricNames.EtaSeconds or MetricNames.StepsPerSecond))
            {
                advanced++;
            }
        }

        if (values.TryGetValue(MetricNames.StepsPerSecond, out var speed))
        {
            WriteNumber(writer, "training_speed", speed);
        }

        // Like a negative or non-finite eta, one beyond TimeSpan's range (which FormatEta cannot format) is left out.
        if (values.TryGetValue(MetricNames.EtaSeconds, out var eta) && double.IsFinite(eta) && eta >= 0 && eta < s_maxEtaSeconds)
        {
            writer.WriteString("eta", FormatEta(eta));
        }

        WriteModelInfo(writer, run);

        // The run's schedule travels with every update, as the design's stream format has it (a run-wide text, not a metric).
        var schedule = run.Hyperparameters.TryGetValue(HyperparameterNames.LearningRateSchedule, out var scheduled) && scheduled.Kind == HyperparameterKind.Text ? scheduled.Text : null;
        if (advanced > 0 || schedule is not null)
        {
            writer.WriteStartObject("advanced_metrics");
            foreach (var (name, value) in values)
            {
                if (!s_topLevel.Contains(name) && name is not (MetricNames.EtaSeconds or MetricNames.StepsPerSecond))
                {
                    WriteNumber(writer, name, value);
                }
            }

            if (schedule is not null && !values.ContainsKey(HyperparameterNames.LearningRateSchedule))
            {
                writer.WriteString(HyperparameterNames.LearningRateSchedule, schedule);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteTrainingData(Utf8JsonWriter writer, TrainingEvent training)
    {
        writer.WriteStartObject();
        if (training.Epoch is { } epoch)
        {
            writer.WriteNumber("epoch", epoch);
        }

        if (training.Step is { } step)
        {
            writer.WriteNumber("step", step);
        }

        if (training.Metrics.Count > (training.Metrics.ContainsKey(MetricNames.BestAccuracy) ? 1 : 0))
        {
            writer.WriteStartObject("metrics");
            foreach (var (name, value) in training.Metrics)
            {
                if (name != MetricNames.BestAccuracy)
                {
                    WriteNumber(writer, name, value);
                }
            }

            writer.WriteEndObject();
        }

        if (training.State is { } state)
        {
            writer.WriteString("model_state", WireNames.State(state));
        }

        if (training.Kind is TrainingEventKind.EpochCompleted or TrainingEventKind.CheckpointSaved)
        {
            writer.WriteBoolean("checkpoint_saved", training.CheckpointPath is not null);
        }

        if (training.CheckpointPath is { } path)
        {
            writer.WriteString("checkpoint_path", path);
        }

        if (training.Metrics.TryGetValue(MetricNames.BestAccuracy, out var best))
        {
            WriteNumber(writer, "best_accuracy", best);
        }

        if (training.Command is { } command)
        {
            writer.WriteString("command_id", command.Id);
            writer.WriteString("action", WireNames.Action(command.Action));
            if (command.Value is { } value)
            {
                WriteNumber(writer, "value", value);
            }

            if (command.Path is { } commandPath)
            {
                writer.WriteString("path", commandPath);
            }
        }

        if (training.ControlStatus is { } status)
        {
            writer.WriteString("status", status == ControlStatus.Applied ? "applied" : "rejected");
        }

        if (training.Message is { } message)
        {
            writer.WriteString("message", message);
        }

        if (training.Kind == TrainingEventKind.RunStarted)
        {
            writer.WriteString("run_name", training.Run.Name);
            WriteModelInfo(writer, training.Run);
            if (training.Run.TotalEpochs is { } total)
            {
                writer.WriteNumber("total_epochs", total);
            }

            if (training.Run.StepsPerEpoch is { } perEpoch)
            {
                writer.WriteNumber("steps_per_epoch", perEpoch);
            }

            if (training.Run.Hyperparameters.Count > 0)
            {
                writer.WritePropertyName("hyperparameters");
                HyperparameterJsonConverter.WriteObject(writer, training.Run.Hyperparameters);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteModelInfo(Utf8JsonWriter writer, RunDescriptor run)
    {
        if (run.ModelName is null && run.ParameterCount is null)
        {
            return;
        }

        writer.WriteStartObject("model_info");
        if (run.ModelName is { } name)
        {
            writer.WriteString("name", name);
        }

        if (run.ParameterCount is { } parameters)
        {
            writer.WriteNumber("parameters", parameters);
        }

        writer.WriteEndObject();
    }

    private static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }
}
