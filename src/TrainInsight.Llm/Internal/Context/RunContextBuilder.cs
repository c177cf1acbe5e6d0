using System.Globalization;
using System.Text;
using TrainInsight.Wire;

namespace TrainInsight.Llm.Internal.Context;

/// <summary>
/// Writes a <see cref="RunData"/> as the prompt's data block: the run, the key metrics' current value, best so far and
/// windowed trend, the open findings, hyperparameters, recent control actions, the other metrics and a thinned loss curve,
/// in that order of importance, within a token budget. Strings from the trainer are quoted by <see cref="UntrustedText"/>.
/// </summary>
internal static class RunContextBuilder
{
    public const string OpenTag = "<run_data>";
    public const string CloseTag = "</run_data>";

    private static readonly string[] s_key =
    [
        MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy, MetricNames.LearningRate,
        MetricNames.GradientNorm,
    ];

    public static RunContext Build(RunData data, int budget, DateTimeOffset now)
    {
        var parts = new List<(string Text, string? OmittedAs)>();
        parts.Add((RunLine(data, now), null));
        foreach (var series in data.Series.Where(s => s_key.Contains(s.Name, StringComparer.Ordinal)))
        {
            parts.Add((MetricLine(series, detailed: true), "metric " + series.Name));
        }

        if (data.Findings.Count == 0)
        {
            parts.Add(("findings: none open (the diagnosis sees no problem so far)", null));
        }
        else
        {
            parts.Add(($"findings ({data.Findings.Count} open, most severe first):", null));
            foreach (var finding in data.Findings)
            {
                parts.Add((FindingLine(finding), "finding " + finding.Label));
            }
        }

        if (data.Run.Hyperparameters.Count > 0)
        {
            parts.Add((HyperparameterLine(data.Run), "the hyperparameters"));
        }

        var commands = data.Commands.TakeLast(5).ToList();
        if (commands.Count > 0)
        {
            var line = new StringBuilder($"control actions (last {commands.Count} of {data.Commands.Count}):");
            foreach (var c in commands)
            {
                line.Append(CultureInfo.InvariantCulture, $" [{WireNames.Action(c.Action)}{(c.Value is { } v ? " " + F(v) : "")} {c.Status.ToString().ToLowerInvariant()}{(c.Step is { } s ? " at step " + s.ToString(CultureInfo.InvariantCulture) : "")}{(c.Message is { } m ? ": " + UntrustedText.Quote(m, 80) : "")}]");
            }

            parts.Add((line.ToString(), "the control actions"));
        }

        foreach (var series in data.Series.Where(s => !s_key.Contains(s.Name, StringComparer.Ordinal)))
        {
            parts.Add((MetricLine(series, detailed: false), "metric " + series.Name));
        }

        var curve = data.Find(MetricNames.ValLoss) is { Overview.Count: > 2 } val && data.Find(MetricNames.TrainLoss) is null ? val : data.Find(MetricNames.TrainLoss);
        if (curve is { Overview.Count: > 2 })
        {
            var thinned = RunDataLoader.Thin(curve.Overview, 12);
            parts.Add(($"{UntrustedText.Name(curve.Name)} curve (step:value): " + string.Join(' ', thinned.Select(p => p.Step.ToString(CultureInfo.InvariantCulture) + ":" + F(p.Value))), "the loss curve"));
        }

        return Fit(parts, budget);
    }

    private static RunContext Fit(List<(string Text, string? OmittedAs)> parts, int budget)
    {
        // Reserve room for the tags and the line saying what was left out.
        const int Reserve = 40;
        var used = TokenEstimator.Estimate(OpenTag) + TokenEstimator.Estimate(CloseTag) + 2;
        var body = new StringBuilder();
        var omitted = new List<string>();
        foreach (var (text, omittedAs) in parts)
        {
            var cost = TokenEstimator.Estimate(text) + 1;
            if (omittedAs is not null && used + cost > budget - Reserve)
            {
                omitted.Add(omittedAs);
                continue;
            }

            body.AppendLine(text);
            used += cost;
        }

        var summary = Summarize(omitted);
        if (summary.Count > 0)
        {
            body.Append("left out for the token budget: ").AppendLine(string.Join(", ", summary));
        }

        var result = OpenTag + "\n" + body + CloseTag;
        return new RunContext(result, TokenEstimator.Estimate(result), summary);
    }

    private static List<string> Summarize(List<string> omitted)
    {
        var metrics = omitted.Count(o => o.StartsWith("metric ", StringComparison.Ordinal));
        var findings = omitted.Count(o => o.StartsWith("finding ", StringComparison.Ordinal));
        var result = new List<string>();
        if (metrics > 0)
        {
            result.Add(metrics == 1 ? "1 metric" : $"{metrics} metrics");
        }

        if (findings > 0)
        {
            result.Add(findings == 1 ? "1 finding" : $"{findings} findings");
        }

        result.AddRange(omitted.Where(o => !o.StartsWith("metric ", StringComparison.Ordinal) && !o.StartsWith("finding ", StringComparison.Ordinal)));
        return result;
    }

    private static string RunLine(RunData data, DateTimeOffset now)
    {
        var run = data.Run;
        var line = new StringBuilder("run: id=").Append(UntrustedText.Quote(run.Id, 128));
        if (!string.Equals(run.Name, run.Id, StringComparison.Ordinal))
        {
            line.Append(" name=").Append(UntrustedText.Quote(run.Name, 80));
        }

        if (run.ModelName is not null)
        {
            line.Append(" model=").Append(UntrustedText.Quote(run.ModelName, 80));
        }

        if (run.ParameterCount is { } parameters)
        {
            line.Append(" parameters=").Append(parameters.ToString(CultureInfo.InvariantCulture));
        }

        line.Append(" state=").Append(data.State.ToString().ToLowerInvariant());
        if (data.Step is { } step)
        {
            line.Append(" step=").Append(step.ToString(CultureInfo.InvariantCulture));
        }

        if (data.Epoch is { } epoch)
        {
            line.Append(" epoch=").Append(epoch.ToString(CultureInfo.InvariantCulture));
            if (run.TotalEpochs is { } total)
            {
                line.Append('/').Append(total.ToString(CultureInfo.InvariantCulture));
            }
        }
        else if (run.TotalEpochs is { } total)
        {
            line.Append(" total_epochs=").Append(total.ToString(CultureInfo.InvariantCulture));
        }

        if (run.StepsPerEpoch is { } perEpoch)
        {
            line.Append(" steps_per_epoch=").Append(perEpoch.ToString(CultureInfo.InvariantCulture));
        }

        // A live run's age changes its context anyway; a finished run's context stays the same, so its answers can be cached.
        var age = now - data.LastEventAt;
        line.Append(" last_event=").Append(data.State is RunState.Training or RunState.Paused
            ? age < TimeSpan.FromSeconds(1) ? "just now" : Duration(age) + " ago"
            : data.LastEventAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        line.Append(" running_for=").Append(Duration(data.LastEventAt - run.StartedAt));
        return line.ToString();
    }

    private static string MetricLine(SeriesSummary s, bool detailed)
    {
        var line = new StringBuilder();
        line.Append(UntrustedText.Name(s.Name)).Append(": ");
        if (s.Count == 0)
        {
            return line.Append(CultureInfo.InvariantCulture, $"every one of {s.NonFinite} values non-finite, last {F(s.LastValue)} at step {s.LastStep}").ToString();
        }

        line.Append(CultureInfo.InvariantCulture, $"now {F(s.LastValue)} @{s.LastStep}");
        var better = Better(s.Name);
        if (better < 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", best(min) {F(s.Min.Value)} @{s.Min.Step}");
        }
        else if (better > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", best(max) {F(s.Max.Value)} @{s.Max.Step}");
        }
        else if (detailed)
        {
            line.Append(CultureInfo.InvariantCulture, $", min {F(s.Min.Value)} @{s.Min.Step}, max {F(s.Max.Value)} @{s.Max.Step}");
        }

        if (detailed)
        {
            line.Append(CultureInfo.InvariantCulture, $", first {F(s.First.Value)} @{s.First.Step}");
        }

        if (s.Trend() is { } trend)
        {
            line.Append(CultureInfo.InvariantCulture, $", last {trend.Points} points {trend.Direction} {Percent(trend.RelativeChange)}");
            if (detailed)
            {
                line.Append(CultureInfo.InvariantCulture, $" (slope {F(trend.SlopePerStep)}/step, mean {F(trend.Mean)}, std {F(trend.Std)})");
            }
        }

        line.Append(CultureInfo.InvariantCulture, $", {s.Count + s.NonFinite} points");
        if (s.NonFinite > 0)
        {
            line.Append(CultureInfo.InvariantCulture, $", {s.NonFinite} non-finite");
        }

        return line.ToString();
    }

    private static string FindingLine(FindingEvent f)
    {
        var line = new StringBuilder();
        line.Append(CultureInfo.InvariantCulture, $"- [{f.Severity.ToString().ToLowerInvariant()}] {f.Label} confidence {f.Confidence:0.##}, since step {f.FirstStep}: {UntrustedText.Escape(f.Message, 400)}");
        foreach (var fix in f.Fixes.Take(2))
        {
            line.Append(" | fix ").Append(fix.Kind == FixKind.LiveAction ? "(live)" : "(code)").Append(' ').Append(UntrustedText.Escape(fix.Title, 160));
        }

        return line.ToString();
    }

    private static string HyperparameterLine(RunDescriptor run)
    {
        var line = new StringBuilder("hyperparameters:");
        foreach (var (name, value) in run.Hyperparameters.OrderBy(p => p.Key, StringComparer.Ordinal).Take(40))
        {
            line.Append(' ').Append(UntrustedText.Escape(name, 48).Replace(' ', '_')).Append('=');
            line.Append(value.Kind switch
            {
                HyperparameterKind.Number => F(value.Number),
                HyperparameterKind.Boolean => value.Boolean ? "true" : "false",
                _ => UntrustedText.Quote(value.Text, 60),
            });
        }

        if (run.Hyperparameters.Count > 40)
        {
            line.Append(CultureInfo.InvariantCulture, $" (+{run.Hyperparameters.Count - 40} more)");
        }

        return line.ToString();
    }

    /// <summary>-1 when lower is better (losses, errors), 1 when higher is (accuracies, scores), 0 when unknown.</summary>
    public static int Better(string name)
    {
        var n = name.ToLowerInvariant();
        if (n.Contains("loss", StringComparison.Ordinal) || n.Contains("error", StringComparison.Ordinal) || n.Contains("perplexity", StringComparison.Ordinal))
        {
            return -1;
        }

        string[] higher = ["acc", "f1", "precision", "recall", "iou", "map", "auc", "score", "dice"];
        return higher.Any(h => n.Contains(h, StringComparison.Ordinal)) ? 1 : 0;
    }

    public static string F(double value) => value.ToString("G4", CultureInfo.InvariantCulture);

    private static string Percent(double relative) =>
        (relative >= 0 ? "+" : "") + (relative * 100).ToString(Math.Abs(relative) < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%";

    private static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 0 => "0 s",
        < 120 => $"{span.TotalSeconds:0} s",
        < 7_200 => $"{span.TotalMinutes:0} min",
        < 172_800 => $"{span.TotalHours:0.#} h",
        _ => $"{span.TotalDays:0.#} d",
    };
}
