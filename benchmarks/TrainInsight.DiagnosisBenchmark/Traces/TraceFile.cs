using System.Text.Json;

namespace TrainInsight.DiagnosisBenchmark.Traces;

/// <summary>Reads trace files written by <see cref="TraceWriter"/> back into real <see cref="MetricEvent"/>s and <see cref="TrainingEvent"/>s.</summary>
public static class TraceFile
{
    /// <summary>The trace files' extension.</summary>
    public const string Extension = ".jsonl";

    /// <summary>Lists the traces of a folder, sorted by name, optionally only those of some model families.</summary>
    /// <param name="directory">The folder.</param>
    /// <param name="models">Model families (<c>mlp</c>, <c>cnn</c>) to keep, or <see langword="null"/> for all.</param>
    /// <returns>The paths.</returns>
    public static IReadOnlyList<string> List(string directory, IReadOnlyCollection<string>? models = null)
    {
        var files = Directory.GetFiles(directory, "*" + Extension).OrderBy(f => f, StringComparer.Ordinal).ToList();
        if (models is { Count: > 0 })
        {
            files = [.. files.Where(f => models.Contains(ModelOf(Path.GetFileNameWithoutExtension(f)), StringComparer.Ordinal))];
        }

        return files;
    }

    /// <summary>Reads only the header line of a trace.</summary>
    /// <param name="path">The trace file.</param>
    /// <returns>The header.</returns>
    public static TraceHeader ReadHeader(string path)
    {
        using var reader = new StreamReader(path);
        var line = reader.ReadLine() ?? throw new InvalidDataException($"'{path}' is empty.");
        return ParseHeader(line, path);
    }

    /// <summary>Reads a whole trace: the header, a run descriptor (id = the file name stem) and every event, in order.</summary>
    /// <param name="path">The trace file.</param>
    /// <returns>The trace.</returns>
    /// <exception cref="InvalidDataException">The file is not a trace; the message names the line.</exception>
    public static TraceRun Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
        {
            throw new InvalidDataException($"'{path}' is empty.");
        }

        var header = ParseHeader(lines[0], path);
        var run = Descriptor(Path.GetFileNameWithoutExtension(path), header);
        var events = new List<TrainInsightEvent>(lines.Length);
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                continue;
            }

            try
            {
                if (ParseEvent(lines[i], run) is { } item)
                {
                    events.Add(item);
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
            {
                throw new InvalidDataException($"'{path}' line {i + 1}: {ex.Message}", ex);
            }
        }

        return new TraceRun(path, header, run, events);
    }

    /// <summary>The model family of a trace named <c>scenario__model__sSEED</c>.</summary>
    /// <param name="stem">The file name without extension.</param>
    /// <returns>The model part, or an empty string.</returns>
    public static string ModelOf(string stem)
    {
        var parts = stem.Split("__");
        return parts.Length >= 3 ? parts[^2] : string.Empty;
    }

    private static TraceHeader ParseHeader(string line, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TraceHeader>(line, TraceJson.HeaderOptions)
                ?? throw new InvalidDataException($"'{path}' has no header.");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' line 1 is not a trace header: {ex.Message}", ex);
        }
    }

    private static RunDescriptor Descriptor(string id, TraceHeader header)
    {
        var hyperparameters = new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal);
        foreach (var (name, value) in header.Hyperparameters)
        {
            if (value is JsonElement element)
            {
                switch (element.ValueKind)
                {
                    case JsonValueKind.Number:
                        hyperparameters[name] = element.GetDouble();
                        break;
                    case JsonValueKind.String:
                        hyperparameters[name] = element.GetString()!;
                        break;
                    case JsonValueKind.True:
                    case JsonValueKind.False:
                        hyperparameters[name] = element.GetBoolean();
                        break;
                }
            }
        }

        return new RunDescriptor(id)
        {
            Name = id,
            ModelName = string.IsNullOrEmpty(header.ModelName) ? null : header.ModelName,
            ParameterCount = header.ParameterCount > 0 ? header.ParameterCount : null,
            TotalEpochs = header.Epochs > 0 ? header.Epochs : null,
            StepsPerEpoch = header.StepsPerEpoch > 0 ? header.StepsPerEpoch : null,
            StartedAt = header.StartedAt,
            Hyperparameters = hyperparameters,
        };
    }

    private static TrainInsightEvent? ParseEvent(string line, RunDescriptor run)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        var type = root.GetProperty("type").GetString();
        var timestamp = root.GetProperty("timestamp").GetDateTimeOffset();
        var sequence = root.TryGetProperty("sequence", out var s) ? s.GetInt64() : 0;
        var offset = root.TryGetProperty("offset", out var o) ? o.GetInt64() : 0;
        switch (type)
        {
            case "metrics":
                return new MetricEvent(run, root.GetProperty("step").GetInt64(), TraceJson.ReadValues(root.GetProperty("values")), timestamp)
                {
                    Epoch = IntOrNull(root, "epoch"),
                    Batch = IntOrNull(root, "batch"),
                    Sequence = sequence,
                    Offset = offset,
                };
            case "training":
                ControlCommand? command = null;
                if (root.TryGetProperty("command", out var c) && c.ValueKind == JsonValueKind.Object)
                {
                    double? value = c.TryGetProperty("value", out var v) && v.ValueKind != JsonValueKind.Null ? TraceJson.ReadNumber(v) : null;
                    command = new ControlCommand(TraceJson.Parse<ControlAction>(c.GetProperty("action").GetString()!), run.Id, value)
                    {
                        Id = c.GetProperty("id").GetString()!,
                        IssuedAt = c.GetProperty("issued_at").GetDateTimeOffset(),
                    };
                }

                return new TrainingEvent(run, TraceJson.Parse<TrainingEventKind>(root.GetProperty("kind").GetString()!), timestamp)
                {
                    Step = root.TryGetProperty("step", out var step) && step.ValueKind == JsonValueKind.Number ? step.GetInt64() : null,
                    Epoch = IntOrNull(root, "epoch"),
                    State = root.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String
                        ? TraceJson.Parse<RunState>(state.GetString()!)
                        : null,
                    Metrics = root.TryGetProperty("metrics", out var metrics) ? TraceJson.ReadValues(metrics) : new Dictionary<string, double>(),
                    Message = root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String ? message.GetString() : null,
                    CheckpointPath = root.TryGetProperty("checkpoint_path", out var path) && path.ValueKind == JsonValueKind.String ? path.GetString() : null,
                    Command = command,
                    ControlStatus = root.TryGetProperty("control_status", out var status) && status.ValueKind == JsonValueKind.String
                        ? TraceJson.Parse<ControlStatus>(status.GetString()!)
                        : null,
                    Sequence = sequence,
                    Offset = offset,
                };
            default:
                return null; // findings, gaps: not part of the run's own telemetry
        }
    }

    private static int? IntOrNull(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
