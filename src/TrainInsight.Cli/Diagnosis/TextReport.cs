using System.Globalization;
using System.Text;

namespace TrainInsight.Cli.Diagnosis;

/// <summary>The human-readable report of <c>tb diagnose</c>: one block per run, then a one-line summary.</summary>
internal static class TextReport
{
    public static async Task WriteAsync(TextWriter writer, string logdir, int files, IReadOnlyList<RunReport> reports, int exitCode)
    {
        var text = new StringBuilder();
        var runs = reports.Sum(r => r.Group.Members.Count);
        text.Append(CultureInfo.InvariantCulture, $"Diagnosed {Plural(runs, "run")} in {logdir} ({Plural(files, "event file")}).\n");
        foreach (var report in reports)
        {
            text.Append('\n');
            Append(text, report);
        }

        var critical = reports.Count(r => r.WorstSeverity == FindingSeverity.Critical);
        var warning = reports.Count(r => r.WorstSeverity == FindingSeverity.Warning);
        var healthy = reports.Count(r => r.IsHealthy && r.Group.MetricUpdates > 0);
        text.Append(CultureInfo.InvariantCulture, $"\n{critical} critical, {warning} with warnings, {healthy} healthy (exit code {exitCode}).\n");
        await writer.WriteAsync(text.ToString()).ConfigureAwait(false);
    }

    private static void Append(StringBuilder text, RunReport report)
    {
        var group = report.Group;
        var reported = group.Reported;
        var others = group.Members.Where(m => !ReferenceEquals(m, reported)).ToList();
        text.Append("run ").Append(reported.Run.Id);
        if (reported.Run.Name != reported.Run.Id)
        {
            text.Append(" (").Append(reported.Run.Name).Append(')');
        }

        if (others.Count > 0)
        {
            text.Append(" with ").Append(string.Join(", ", others.Select(o => o.Run.Id)));
        }

        text.Append('\n');
        text.Append("  ").Append(Plural(group.MetricUpdates, "metric update")).Append(" read");
        if (others.Count > 0)
        {
            text.Append(": ").Append(string.Join(", ", group.Members.Select(m => FormattableString.Invariant($"{m.MetricUpdates:N0} from {m.Run.Id}"))));
        }

        text.Append('\n');
        if (group.MetricUpdates == 0)
        {
            text.Append("  no scalars were read: nothing to judge\n");
            return;
        }

        // signals_missing says what the coverage below lists, label by label.
        foreach (var finding in report.Findings.Where(f => f.Label != FindingLabels.SignalsMissing))
        {
            AppendFinding(text, finding);
        }

        if (report.IsHealthy)
        {
            text.Append("  looks healthy: no warning or critical finding in ").Append(Plural(group.MetricUpdates, "metric update")).Append(" judged\n");
        }

        var notJudged = report.Coverage.Where(c => !c.IsJudged).ToList();
        if (notJudged.Count > 0)
        {
            text.Append("  not judged (the signals they need were not logged):\n");
            foreach (var label in notJudged)
            {
                text.Append("    ").Append(label.Label).Append(": needs ").Append(label.NeededSignals).Append('\n');
            }
        }
    }

    private static void AppendFinding(StringBuilder text, FindingEvent finding)
    {
        text.Append("  ").Append(finding.Severity.ToString().ToUpperInvariant()).Append(' ').Append(finding.Label).Append(": ");
        if (finding.State == FindingState.Open)
        {
            text.Append(CultureInfo.InvariantCulture, $"open since step {finding.FirstStep}");
            if (finding.Step != finding.FirstStep)
            {
                text.Append(CultureInfo.InvariantCulture, $", last updated at step {finding.Step}");
            }
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"resolved at step {finding.Step}, raised at step {finding.FirstStep}");
        }

        text.Append(CultureInfo.InvariantCulture, $", confidence {finding.Confidence:F2}\n");
        text.Append("    ").Append(OneLine(finding.Message)).Append('\n');
        foreach (var evidence in finding.Evidence)
        {
            text.Append(CultureInfo.InvariantCulture, $"    evidence: {evidence.Metric} = {Number(evidence.Value)} at step {evidence.Step}, {OneLine(evidence.Description)}");
            if (evidence.Threshold is { } threshold)
            {
                text.Append(" (threshold ").Append(Number(threshold)).Append(')');
            }

            text.Append('\n');
        }

        foreach (var fix in finding.Fixes)
        {
            text.Append("    fix (").Append(fix.Kind == FixKind.LiveAction ? "live action" : "code change").Append("): ").Append(OneLine(fix.Title));
            if (fix.Commands.Count > 0)
            {
                text.Append(" [").Append(string.Join(", ", fix.Commands.Select(c => c.Value is { } v ? $"{ActionName(c.Action)} {Number(v)}" : ActionName(c.Action)))).Append(']');
            }

            text.Append('\n');
        }
    }

    /// <summary>A control action as the control endpoint names it: SetLearningRate → set_learning_rate.</summary>
    internal static string ActionName(ControlAction action) =>
        string.Concat(action.ToString().Select((c, i) => char.IsUpper(c) ? (i == 0 ? string.Empty : "_") + char.ToLowerInvariant(c) : c.ToString()));

    /// <summary>A value in at most 6 significant digits; NaN and infinities by name.</summary>
    internal static string Number(double value) => value switch
    {
        double.NaN => "NaN",
        double.PositiveInfinity => "Infinity",
        double.NegativeInfinity => "-Infinity",
        _ => value.ToString("G6", CultureInfo.InvariantCulture),
    };

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Plural(long count, string noun) =>
        string.Create(CultureInfo.InvariantCulture, $"{count:N0} {noun}{(count == 1 ? string.Empty : "s")}");
}
