using System.Globalization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Serialization;

/// <summary>Validates ingest batches (docs/ingest.md) and turns their parts into bus events.</summary>
internal static class IngestMapping
{
    /// <summary>The most events one batch may carry, across all its runs.</summary>
    public const int MaxEventsPerBatch = 10_000;

    /// <summary>The longest metric name accepted.</summary>
    public const int MaxMetricNameLength = 256;


    // 9999-12-31T23:59:59Z, the last second a DateTimeOffset can hold.
    private const double MaxUnixSeconds = 253_402_300_799;

    /// <summary>An error at a JSON path such as <c>$.runs[0].events[3].step</c>.</summary>
    public sealed record Error(string Path, string Detail);

    /// <summary>Checks the whole batch; returns the first error, or null when every part is valid.</summary>
    public static Error? Validate(IngestBatchDto? batch)
    {
        if (batch is null)
        {
            return new Error("$", "$ (the body) must be a JSON object such as {\"runs\":[…]}.");
        }

        if (batch.Runs is null)
        {
            return new Error("$.runs", "$.runs is required: an array of {\"run\":{…},\"events\":[…]} objects.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var total = 0;
        for (var r = 0; r < batch.Runs.Count; r++)
        {
            var path = $"$.runs[{r}]";
            var part = batch.Runs[r];
            if (part is null)
            {
                return new Error(path, $"{path} must be an object with \"run\" and \"events\".");
            }

            if (part.Run is null)
            {
                return new Error(path + ".run", $"{path}.run is required: an object with at least an \"id\".");
            }

            if (ValidateRun(part.Run, path + ".run") is { } runError)
            {
                return runError;
            }

            if (!seen.Add(part.Run.Id!))
            {
                return new Error(path + ".run.id", $"{path}.run.id: run '{part.Run.Id}' appears more than once in the batch; send each run's events in one entry.");
            }

            if (part.Events is null)
            {
                return new Error(path + ".events", $"{path}.events is required: an array of events (it may be empty).");
            }

            total += part.Events.Count;
            if (total > MaxEventsPerBatch)
            {
                return new Error(path + ".events", $"The batch has more than {MaxEventsPerBatch:N0} events; split it into smaller batches.");
            }

            long previous = 0;
            for (var e = 0; e < part.Events.Count; e++)
            {
                var eventPath = $"{path}.events[{e}]";
                if (ValidateEvent(part.Events[e], eventPath, previous) is { } eventError)
                {
                    return eventError;
                }

                previous = part.Events[e]!.Sequence!.Value;
            }
        }

        return null;
    }

    /// <summary>Creates the descriptor of a run from its (validated) description.</summary>
    public static RunDescriptor ToDescriptor(IngestRunInfoDto run) => new(run.Id!)
    {
        Name = string.IsNullOrEmpty(run.Name) ? run.Id! : run.Name,
        ModelName = run.ModelName,
        ParameterCount = run.ParameterCount,
        TotalEpochs = run.TotalEpochs,
        StepsPerEpoch = run.StepsPerEpoch,
        StartedAt = run.StartedAt is { } started ? FromUnixSeconds(started) : DateTimeOffset.UtcNow,
        Hyperparameters = run.Hyperparameters ?? new Dictionary<string, HyperparameterValue>(),
    };

    /// <summary>Creates the bus event of a (validated) wire event.</summary>
    public static TrainInsightEvent ToEvent(RunDescriptor run, IngestEventDto item)
    {
        var timestamp = FromUnixSeconds(item.Timestamp!.Value);
        if (item.Type == IngestEventDto.MetricsUpdate)
        {
            return new MetricEvent(run, item.Step!.Value, item.Values, timestamp) { Epoch = item.Epoch, Batch = item.Batch };
        }

        return new TrainingEvent(run, WireNames.ParseIngestKind(item.Kind)!.Value, timestamp)
        {
            Step = item.Step,
            Epoch = item.Epoch,
            State = item.State is null ? null : WireNames.ParseReportedState(item.State),
            Metrics = item.Metrics ?? new Dictionary<string, double>(),
            CheckpointPath = item.CheckpointPath,
            Message = item.Message,
        };
    }

    private static Error? ValidateRun(IngestRunInfoDto run, string path)
    {
        if (!RunDescriptor.IsValidId(run.Id))
        {
            return new Error(path + ".id", run.Id is null
                ? $"{path}.id is required: 1 to 128 letters, digits, '-', '_' or '.'."
                : $"{path}.id '{run.Id}' is not a valid run id: use 1 to 128 letters, digits, '-', '_' or '.'.");
        }

        if (run.ParameterCount is < 0)
        {
            return new Error(path + ".parameter_count", $"{path}.parameter_count must be a non-negative integer.");
        }

        if (run.TotalEpochs is < 0)
        {
            return new Error(path + ".total_epochs", $"{path}.total_epochs must be a non-negative integer.");
        }

        if (run.StepsPerEpoch is < 0)
        {
            return new Error(path + ".steps_per_epoch", $"{path}.steps_per_epoch must be a non-negative integer.");
        }

        return run.StartedAt is { } started && !IsTimestamp(started)
            ? new Error(path + ".started_at", $"{path}.started_at must be Unix seconds, a finite number from 0 to {MaxUnixSeconds:F0}.")
            : null;
    }

    private static Error? ValidateEvent(IngestEventDto? item, string path, long previousSequence)
    {
        if (item is null)
        {
            return new Error(path, $"{path} must be an event object.");
        }

        if (item.Type is not (IngestEventDto.MetricsUpdate or IngestEventDto.TrainingEvent))
        {
            return new Error(path + ".type", item.Type is null
                ? $"{path}.type is required: \"metrics_update\" or \"training_event\"."
                : $"{path}.type '{item.Type}' is unknown: use \"metrics_update\" or \"training_event\".");
        }

        if (item.Sequence is not { } sequence || sequence < 1)
        {
            return new Error(path + ".sequence", $"{path}.sequence is required: the event's number within its run, an integer from 1.");
        }

        if (sequence <= previousSequence)
        {
            return new Error(path + ".sequence", string.Create(CultureInfo.InvariantCulture,
                $"{path}.sequence {sequence} does not follow the previous event's {previousSequence}: sequences must increase within a run."));
        }

        if (item.Timestamp is not { } timestamp || !IsTimestamp(timestamp))
        {
            return new Error(path + ".timestamp", $"{path}.timestamp is required: Unix seconds, a finite number from 0 to {MaxUnixSeconds:F0}.");
        }

        if (item.Step is < 0 || (item.Step is null && item.Type == IngestEventDto.MetricsUpdate))
        {
            return new Error(path + ".step", item.Step is null
                ? $"{path}.step is required for a metrics_update: a non-negative integer."
                : $"{path}.step must be a non-negative integer.");
        }

        if (item.Epoch is < 0)
        {
            return new Error(path + ".epoch", $"{path}.epoch must be a non-negative integer.");
        }

        if (item.Batch is < 0)
        {
            return new Error(path + ".batch", $"{path}.batch must be a non-negative integer.");
        }

        if (item.Type == IngestEventDto.MetricsUpdate)
        {
            return item.Values is null
                ? new Error(path + ".values", $"{path}.values is required for a metrics_update: an object of metric names to numbers.")
                : ValidateNames(item.Values, path + ".values");
        }

        if (WireNames.ParseIngestKind(item.Kind) is null)
        {
            return new Error(path + ".kind", item.Kind is null
                ? $"{path}.kind is required for a training_event: run_started, run_finished, epoch_completed or checkpoint_saved."
                : $"{path}.kind '{item.Kind}' is unknown: use run_started, run_finished, epoch_completed or checkpoint_saved.");
        }

        if (item.State is not null && WireNames.ParseReportedState(item.State) is null)
        {
            return new Error(path + ".state", $"{path}.state '{item.State}' is unknown: use training, paused, stopped, completed or failed.");
        }

        return item.Metrics is null ? null : ValidateNames(item.Metrics, path + ".metrics");
    }

    private static Error? ValidateNames(IReadOnlyDictionary<string, double> values, string path)
    {
        foreach (var name in values.Keys)
        {
            if (name.Length is 0 or > MaxMetricNameLength)
            {
                return new Error(path, $"{path} has a metric name of {name.Length} characters; names must have 1 to {MaxMetricNameLength}.");
            }
        }

        return null;
    }

    private static bool IsTimestamp(double seconds) => double.IsFinite(seconds) && seconds >= 0 && seconds <= MaxUnixSeconds;

    private static DateTimeOffset FromUnixSeconds(double seconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero));
}
