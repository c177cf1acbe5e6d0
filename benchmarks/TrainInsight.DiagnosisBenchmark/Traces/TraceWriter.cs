using System.Text;
using System.Text.Json;

namespace TrainInsight.DiagnosisBenchmark.Traces;

/// <summary>
/// Writes a trace file (JSON Lines): the <see cref="TraceHeader"/> on the first line, then one line per recorded event —
/// <c>{"type":"metrics", "step", "epoch", "batch", "timestamp", "values"}</c> and
/// <c>{"type":"training", "kind", "step", "epoch", "state", "metrics", "message", …}</c>, each with its bus
/// <c>sequence</c> and <c>offset</c>. NaN and infinities are kept, as the strings "NaN", "Infinity" and "-Infinity".
/// Findings and gaps are written with their own types (<c>finding</c>, <c>gap</c>) and skipped by the reader.
/// </summary>
public static class TraceWriter
{
    /// <summary>Writes the trace to <paramref name="path"/> (through a temporary file, renamed when complete).</summary>
    /// <param name="path">The trace file.</param>
    /// <param name="header">The header.</param>
    /// <param name="events">The events, in the order the bus delivered them.</param>
    public static void Write(string path, TraceHeader header, IEnumerable<TrainInsightEvent> events)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(events);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temporary = path + ".tmp";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            var newline = "\n"u8.ToArray();
            stream.Write(JsonSerializer.SerializeToUtf8Bytes(header, TraceJson.HeaderOptions));
            stream.Write(newline);
            foreach (var item in events)
            {
                stream.Write(Line(item));
                stream.Write(newline);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>One event as one JSON line (without the newline).</summary>
    /// <param name="item">The event.</param>
    /// <returns>The UTF-8 JSON.</returns>
    public static byte[] Line(TrainInsightEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            switch (item)
            {
                case MetricEvent metric:
                    writer.WriteString("type", "metrics");
                    writer.WriteNumber("step", metric.Step);
                    WriteNullable(writer, "epoch", metric.Epoch);
                    WriteNullable(writer, "batch", metric.Batch);
                    WriteCommon(writer, item);
                    TraceJson.WriteValues(writer, "values", metric.Values);
                    break;
                case TrainingEvent training:
                    writer.WriteString("type", "training");
                    writer.WriteString("kind", TraceJson.Name(training.Kind));
                    WriteNullable(writer, "step", training.Step);
                    WriteNullable(writer, "epoch", training.Epoch);
                    WriteCommon(writer, item);
                    if (training.State is { } state)
                    {
                        writer.WriteString("state", TraceJson.Name(state));
                    }
                    else
                    {
                        writer.WriteNull("state");
                    }

                    TraceJson.WriteValues(writer, "metrics", training.Metrics);
                    writer.WriteString("message", training.Message);
                    if (training.CheckpointPath is { } checkpoint)
                    {
                        writer.WriteString("checkpoint_path", checkpoint);
                    }

                    if (training.Command is { } command)
                    {
                        writer.WriteStartObject("command");
                        writer.WriteString("id", command.Id);
                        writer.WriteString("action", TraceJson.Name(command.Action));
                        if (command.Value is { } value)
                        {
                            TraceJson.WriteNumber(writer, "value", value);
                        }
                        else
                        {
                            writer.WriteNull("value");
                        }

                        writer.WriteString("issued_at", command.IssuedAt);
                        writer.WriteEndObject();
                    }

                    if (training.ControlStatus is { } status)
                    {
                        writer.WriteString("control_status", TraceJson.Name(status));
                    }

                    break;
                case FindingEvent finding:
                    writer.WriteString("type", "finding");
                    writer.WriteString("finding_id", finding.FindingId);
                    writer.WriteString("label", finding.Label);
                    writer.WriteString("severity", TraceJson.Name(finding.Severity));
                    writer.WriteString("state", TraceJson.Name(finding.State));
                    writer.WriteNumber("step", finding.Step);
                    writer.WriteNumber("first_step", finding.FirstStep);
                    WriteCommon(writer, item);
                    writer.WriteString("message", finding.Message);
                    break;
                case GapEvent gap:
                    writer.WriteString("type", "gap");
                    writer.WriteNumber("missed_count", gap.MissedCount);
                    WriteCommon(writer, item);
                    break;
                default:
                    writer.WriteString("type", item.GetType().Name);
                    WriteCommon(writer, item);
                    break;
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteCommon(Utf8JsonWriter writer, TrainInsightEvent item)
    {
        writer.WriteString("timestamp", item.Timestamp);
        writer.WriteNumber("sequence", item.Sequence);
        writer.WriteNumber("offset", item.Offset);
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    internal static string ToText(TrainInsightEvent item) => Encoding.UTF8.GetString(Line(item));
}
