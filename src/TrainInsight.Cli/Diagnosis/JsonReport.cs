using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TrainInsight.Cli.Commands;

namespace TrainInsight.Cli.Diagnosis;

/// <summary>
/// The machine-readable report of <c>tb diagnose --format json</c>: one JSON document, snake_case, findings in the shape
/// the streams send them (docs/protocol.md), NaN and infinities as the strings "NaN", "Infinity" and "-Infinity".
/// </summary>
internal static class JsonReport
{
    private static readonly JsonWriterOptions s_options = new() { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static async Task WriteAsync(TextWriter writer, string logdir, int files, IReadOnlyList<RunReport> reports, int exitCode)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            json.WriteString("log_directory", logdir);
            json.WriteNumber("event_files", files);
            json.WriteNumber("exit_code", exitCode);
            json.WriteStartArray("runs");
            foreach (var report in reports)
            {
                WriteRun(json, report);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        await writer.WriteAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length) + "\n").ConfigureAwait(false);
    }

    private static void WriteRun(Utf8JsonWriter json, RunReport report)
    {
        var group = report.Group;
        var reported = group.Reported;
        json.WriteStartObject();
        json.WriteString("run_id", reported.Run.Id);
        json.WriteString("name", reported.Run.Name);
        json.WriteStartArray("paired_with");
        foreach (var other in group.Members.Where(m => !ReferenceEquals(m, reported)))
        {
            json.WriteStringValue(other.Run.Id);
        }

        json.WriteEndArray();
        json.WriteNumber("metric_updates", group.MetricUpdates);
        json.WriteStartArray("sources");
        foreach (var member in group.Members)
        {
            json.WriteStartObject();
            json.WriteString("run_id", member.Run.Id);
            json.WriteString("path", member.Path);
            json.WriteString("side", member.Side switch { RunSide.Train => "train", RunSide.Validation => "validation", _ => "single" });
            json.WriteNumber("event_files", member.Files.Count);
            json.WriteNumber("metric_updates", member.MetricUpdates);
            json.WriteNumber("scalars", member.Scalars);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (report.WorstSeverity is { } worst)
        {
            json.WriteString("worst_severity", Severity(worst));
        }
        else
        {
            json.WriteNull("worst_severity");
        }

        json.WriteBoolean("healthy", report.IsHealthy);
        json.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            WriteFinding(json, finding);
        }

        json.WriteEndArray();
        json.WriteStartArray("coverage");
        foreach (var label in report.Coverage)
        {
            json.WriteStartObject();
            json.WriteString("label", label.Label);
            json.WriteBoolean("judged", label.IsJudged);
            json.WriteString("needed_signals", label.NeededSignals);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteFinding(Utf8JsonWriter json, FindingEvent finding)
    {
        json.WriteStartObject();
        json.WriteString("finding_id", finding.FindingId);
        json.WriteString("run_id", finding.RunId);
        json.WriteString("label", finding.Label);
        json.WriteString("severity", Severity(finding.Severity));
        json.WriteString("state", finding.State == FindingState.Open ? "open" : "resolved");
        json.WriteString("message", finding.Message);
        ExportCommand.WriteDouble(json, "confidence", finding.Confidence);
        json.WriteNumber("revision", finding.Revision);
        json.WriteNumber("first_step", finding.FirstStep);
        json.WriteNumber("step", finding.Step);
        json.WriteNumber("first_seen_at", finding.FirstSeenAt.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteNumber("timestamp", finding.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        json.WriteStartArray("evidence");
        foreach (var evidence in finding.Evidence)
        {
            json.WriteStartObject();
            json.WriteString("metric", evidence.Metric);
            ExportCommand.WriteDouble(json, "value", evidence.Value);
            json.WriteNumber("step", evidence.Step);
            json.WriteString("description", evidence.Description);
            if (evidence.Threshold is { } threshold)
            {
                ExportCommand.WriteDouble(json, "threshold", threshold);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteStartArray("fixes");
        foreach (var fix in finding.Fixes)
        {
            json.WriteStartObject();
            json.WriteString("id", fix.Id);
            json.WriteString("kind", fix.Kind == FixKind.LiveAction ? "live_action" : "code_change");
            json.WriteString("title", fix.Title);
            json.WriteString("rationale", fix.Rationale);
            json.WriteStartArray("commands");
            foreach (var command in fix.Commands)
            {
                json.WriteStartObject();
                json.WriteString("action", TextReport.ActionName(command.Action));
                if (command.Value is { } value)
                {
                    ExportCommand.WriteDouble(json, "value", value);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static string Severity(FindingSeverity severity) => severity switch
    {
        FindingSeverity.Critical => "critical",
        FindingSeverity.Warning => "warning",
        _ => "info",
    };
}
