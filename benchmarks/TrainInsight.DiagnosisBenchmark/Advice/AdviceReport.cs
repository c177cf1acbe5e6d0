using System.Globalization;
using System.Text;

namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>
/// The advice scores over a set of traces: top-1 and top-3 "right parameter and direction" rates over the faulty runs
/// (and the same, parameter only), the healthy false-alarm rate, a per-label table, latency per call, and where the answers
/// came from (model or rules; with a model configured, how many fell back to the rules and why).
/// </summary>
internal sealed class AdviceReport
{
    public AdviceReport(IReadOnlyList<AdviceRun> runs, string traces, string assistant, bool hasModel, AskPoint ask, double wallSeconds)
    {
        Runs = runs;
        Traces = traces;
        Assistant = assistant;
        HasModel = hasModel;
        Ask = ask;
        WallSeconds = wallSeconds;
        Faults = [.. runs.Where(r => !r.IsHealthy)];
        Healthy = [.. runs.Where(r => r.IsHealthy)];
        Labels = [.. runs.GroupBy(r => r.Label).OrderBy(g => g.Key == FindingLabels.Healthy ? "" : g.Key, StringComparer.Ordinal).Select(g => g.Key)];
    }

    public IReadOnlyList<AdviceRun> Runs { get; }

    public string Traces { get; }

    public string Assistant { get; }

    public bool HasModel { get; }

    public AskPoint Ask { get; }

    public double WallSeconds { get; }

    public IReadOnlyList<AdviceRun> Faults { get; }

    public IReadOnlyList<AdviceRun> Healthy { get; }

    public IReadOnlyList<string> Labels { get; }

    public int Top1 => Faults.Count(r => r.Top1);

    public int Top3 => Faults.Count(r => r.Top3);

    public int ParameterTop1 => Faults.Count(r => r.ParameterTop1);

    public int ParameterTop3 => Faults.Count(r => r.ParameterTop3);

    public int Found => Faults.Count(r => r.TrueLabelFound);

    public int Top1WhenFound => Faults.Count(r => r.TrueLabelFound && r.Top1);

    public int FalseAlarms => Healthy.Count(r => r.FalseAlarm);

    public int TrainingFalseAlarms => Healthy.Count(r => r.TrainingFalseAlarm);

    public int ModelAnswers => Runs.Count(r => r.Source == AssistantSource.Model);

    public int RulesAnswers => Runs.Count(r => r.Source == AssistantSource.Rules);

    public int Fallbacks => Runs.Count(r => r.Fallback);

    public int Errors => Runs.Count(r => r.Error is not null);

    /// <summary>Gets the faulty runs the model itself got right at rank 1 (a fallback counts as a miss).</summary>
    public int ModelTop1 => Faults.Count(r => r.Source == AssistantSource.Model && r.Top1);

    public int ModelTop3 => Faults.Count(r => r.Source == AssistantSource.Model && r.Top3);

    public int ModelFaultAnswers => Faults.Count(r => r.Source == AssistantSource.Model);

    /// <summary>The fallback reasons, grouped, most frequent first.</summary>
    public IReadOnlyList<(string Reason, int Count)> FallbackReasons =>
        [.. Runs.Where(r => r.Fallback).GroupBy(r => ReasonKey(r.Notice)).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key, StringComparer.Ordinal)];

    public (double Mean, double Median, double P95, double Max) Latency(IEnumerable<AdviceRun>? runs = null)
    {
        var values = (runs ?? Runs).Select(r => r.LatencyMs).Order().ToList();
        if (values.Count == 0)
        {
            return (0, 0, 0, 0);
        }

        return (values.Average(), Percentile(values, 0.5), Percentile(values, 0.95), values[^1]);
    }

    /// <summary>A short, groupable reason from a fallback notice ("the model's answer is not JSON", "The model failed (TimeoutException)").</summary>
    public static string ReasonKey(string? notice)
    {
        if (string.IsNullOrWhiteSpace(notice))
        {
            return "(no notice)";
        }

        var text = notice.Trim();
        const string unusable = "The model's answer was not usable (";
        if (text.StartsWith(unusable, StringComparison.Ordinal))
        {
            var end = text.LastIndexOf("); this answer comes from the rules", StringComparison.Ordinal);
            text = end > unusable.Length ? text[unusable.Length..end] : text[unusable.Length..];
            var cut = text.IndexOfAny(['(', ':']);
            return "unusable output: " + (cut > 0 ? text[..cut] : text).Trim();
        }

        const string failed = "The model failed (";
        if (text.StartsWith(failed, StringComparison.Ordinal))
        {
            var colon = text.IndexOf(':', failed.Length);
            return "failed: " + (colon > 0 ? text[failed.Length..colon] : text);
        }

        var stop = text.IndexOf(". ", StringComparison.Ordinal);
        return stop > 0 ? text[..stop] : text;
    }

    public string ToMarkdown(string name)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Advice evaluation: {name}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Assistant: **{Assistant}**; `SuggestAsync` asked at **{AskText(Ask)}**.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Traces: `{Traces}`: {Runs.Count} ({string.Join(", ", Runs.GroupBy(r => r.Model).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}); {Faults.Count} faulty, {Healthy.Count} healthy.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Measured {DateTime.UtcNow:yyyy-MM-dd}; wall time {WallSeconds:F1} s on {Environment.ProcessorCount} cores (replays and calls, one trace at a time).");
        md.AppendLine("- A hit: the suggestion's parameter (or the diagnosis fix behind it) is one the expected-advice table accepts for the trace's true label, moved in the direction it requires (docs/assistant-evaluation.md).");
        md.AppendLine();
        md.AppendLine("| Measure | Value |");
        md.AppendLine("| --- | ---: |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| **Top-1 right parameter and direction** (faulty runs) | **{Rate(Top1, Faults.Count)}** |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Top-3 right parameter and direction | {Rate(Top3, Faults.Count)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Top-1 right parameter, any direction | {Rate(ParameterTop1, Faults.Count)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Top-3 right parameter, any direction | {Rate(ParameterTop3, Faults.Count)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| **Healthy false alarms** (any suggestion on a healthy run) | **{Rate(FalseAlarms, Healthy.Count)}** |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Healthy false alarms that change the training (not only `send_signals`, the telemetry request of the Info finding `signals_missing`) | {Rate(TrainingFalseAlarms, Healthy.Count)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| The diagnosis had the true label open when asked | {Rate(Found, Faults.Count)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Top-1 right when it had | {Rate(Top1WhenFound, Found)} |");
        md.AppendLine(CultureInfo.InvariantCulture, $"| Answers from the model / from the rules | {ModelAnswers} / {RulesAnswers} |");
        if (HasModel)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| Fallbacks (model configured, rules answered) | {Rate(Fallbacks, Runs.Count)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| **Model-written top-1** (a fallback counts as a miss) | **{Rate(ModelTop1, Faults.Count)}** |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| Model-written top-3 (a fallback counts as a miss) | {Rate(ModelTop3, Faults.Count)} |");
            md.AppendLine(CultureInfo.InvariantCulture, $"| Model-written top-1 over the model's own answers | {Rate(ModelTop1, ModelFaultAnswers)} |");
            var tokensIn = Runs.Sum(r => r.InputTokens ?? 0);
            var tokensOut = Runs.Sum(r => r.OutputTokens ?? 0);
            md.AppendLine(CultureInfo.InvariantCulture, $"| Tokens in / out (as the client reported them) | {tokensIn:N0} / {tokensOut:N0} |");
        }

        var (mean, median, p95, max) = Latency();
        md.AppendLine(CultureInfo.InvariantCulture, $"| Latency per `SuggestAsync` call: mean / median / p95 / max | {Ms(mean)} / {Ms(median)} / {Ms(p95)} / {Ms(max)} |");
        if (Errors > 0)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"| Calls that threw (counted as wrong) | {Errors} |");
        }

        md.AppendLine();
        md.AppendLine("## Per label");
        md.AppendLine();
        md.AppendLine("| True label | Runs | Top-1 | Top-3 | Label open | Top-1 suggestions given | Accepted (any of) |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var label in Labels)
        {
            var runs = Runs.Where(r => r.Label == label).ToList();
            var given = string.Join("; ", runs.GroupBy(r => r.Suggestions.Count > 0 ? Short(r.Suggestions[0]) : "(none)")
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Count() > 1 ? $"{g.Key} ×{g.Count()}" : g.Key));
            var expectation = AdviceExpectations.For(label);
            var accepted = expectation.Targets.Count == 0 ? "no suggestion" : string.Join(", ", expectation.Targets);
            if (label == FindingLabels.Healthy)
            {
                var right = runs.Count(r => r.Right);
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {runs.Count} | {right} (none given) | – | – | {Cell(given)} | {accepted} |");
            }
            else
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {label} | {runs.Count} | {runs.Count(r => r.Top1)} | {runs.Count(r => r.Top3)} | {runs.Count(r => r.TrueLabelFound)} | {Cell(given)} | {accepted} |");
            }
        }

        if (HasModel && Fallbacks > 0)
        {
            md.AppendLine();
            md.AppendLine("## Why the rules answered");
            md.AppendLine();
            md.AppendLine("| Reason | Answers |");
            md.AppendLine("| --- | ---: |");
            foreach (var (reason, count) in FallbackReasons)
            {
                md.AppendLine(CultureInfo.InvariantCulture, $"| {Cell(reason)} | {count} |");
            }
        }

        md.AppendLine();
        md.AppendLine("## Per run");
        md.AppendLine();
        md.AppendLine("Suggestions: `parameter current→proposed direction [fix]` (↓ lowered, ↑ raised, ~ a change with no direction, ? unknown). @1/@3: hit at rank 1 / within 3 (for a healthy run: no suggestion at all).");
        md.AppendLine();
        md.AppendLine("| Trace | True label | Asked at | Open findings | Top-3 suggestions | @1 | @3 | Source | ms |");
        md.AppendLine("| --- | --- | --- | --- | --- | :---: | :---: | --- | ---: |");
        foreach (var r in Runs)
        {
            var suggestions = r.Suggestions.Count == 0 ? "(none)" : string.Join("<br>", r.Suggestions.Take(3).Select(s => $"{s.Priority}. {Long(s)}"));
            var top1 = r.IsHealthy ? Mark(r.Right) : Mark(r.Top1);
            var top3 = r.IsHealthy ? Mark(r.Right) : Mark(r.Top3);
            var source = r.Error is not null ? "error: " + Cut(r.Error, 80)
                : r.Source == AssistantSource.Model ? "model" + (r.ModelId is null ? "" : $" ({r.ModelId})")
                : r.Fallback ? "rules (fallback: " + ReasonKey(r.Notice) + ")" : "rules";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {r.Run} | {r.Label} | {r.AskedAt} | {Cell(r.Findings.Count == 0 ? "(none)" : string.Join(", ", r.Findings))} | {Cell(suggestions)} | {top1} | {top3} | {Cell(source)} | {r.LatencyMs:F0} |");
        }

        return md.ToString();
    }

    public object ToJson(string name) => new
    {
        set = name,
        traces = Traces,
        assistant = Assistant,
        has_model = HasModel,
        asked_at = Ask == AskPoint.End ? "end" : "detection",
        runs = Runs.Count,
        fault_runs = Faults.Count,
        healthy_runs = Healthy.Count,
        top1 = Top1,
        top1_rate = Ratio(Top1, Faults.Count),
        top3 = Top3,
        top3_rate = Ratio(Top3, Faults.Count),
        parameter_top1 = ParameterTop1,
        parameter_top1_rate = Ratio(ParameterTop1, Faults.Count),
        parameter_top3 = ParameterTop3,
        parameter_top3_rate = Ratio(ParameterTop3, Faults.Count),
        healthy_false_alarms = FalseAlarms,
        healthy_false_alarm_rate = Ratio(FalseAlarms, Healthy.Count),
        healthy_training_false_alarms = TrainingFalseAlarms,
        healthy_training_false_alarm_rate = Ratio(TrainingFalseAlarms, Healthy.Count),
        true_label_found = Found,
        top1_when_found = Top1WhenFound,
        model_answers = ModelAnswers,
        rules_answers = RulesAnswers,
        fallbacks = Fallbacks,
        fallback_reasons = FallbackReasons.Select(r => new { reason = r.Reason, answers = r.Count }),
        model_top1 = ModelTop1,
        model_top1_rate = Ratio(ModelTop1, Faults.Count),
        model_top3 = ModelTop3,
        model_fault_answers = ModelFaultAnswers,
        errors = Errors,
        latency_ms = Latency() is var l ? new { mean = l.Mean, median = l.Median, p95 = l.P95, max = l.Max } : null,
        input_tokens = Runs.Sum(r => r.InputTokens ?? 0),
        output_tokens = Runs.Sum(r => r.OutputTokens ?? 0),
        wall_seconds = WallSeconds,
        labels = Labels.Select(label =>
        {
            var runs = Runs.Where(r => r.Label == label).ToList();
            return new
            {
                label,
                runs = runs.Count,
                top1 = runs.Count(r => label == FindingLabels.Healthy ? r.Right : r.Top1),
                top3 = runs.Count(r => label == FindingLabels.Healthy ? r.Right : r.Top3),
                true_label_found = runs.Count(r => r.TrueLabelFound),
                accepted = AdviceExpectations.For(label).Targets.Select(t => t.ToString()),
            };
        }),
        per_run = Runs.Select(r => new
        {
            run = r.Run,
            scenario = r.Scenario,
            model = r.Model,
            seed = r.Seed,
            label = r.Label,
            asked_at = r.AskedAt,
            findings = r.Findings,
            finding_messages = r.FindingMessages,
            true_label_found = r.TrueLabelFound,
            source = r.Source == AssistantSource.Model ? "model" : "rules",
            model_id = r.ModelId,
            fallback = r.Fallback,
            notice = r.Notice,
            hit_rank = r.HitRank,
            hit = r.Hit?.ToString(),
            parameter_hit_rank = r.ParameterHitRank,
            right = r.Right,
            latency_ms = r.LatencyMs,
            input_tokens = r.InputTokens,
            output_tokens = r.OutputTokens,
            error = r.Error,
            suggestions = r.Suggestions.Select(s => new
            {
                priority = s.Priority,
                parameter = s.Parameter,
                fix = s.FixId,
                finding = s.FindingLabel,
                current_value = s.CurrentValue,
                proposed_value = s.ProposedValue,
                direction = s.Direction.ToString().ToLowerInvariant(),
                direction_from = s.DirectionFrom,
                commands = s.Commands,
                confidence = s.Confidence,
            }),
        }),
    };

    /// <summary>The console summary: a few lines.</summary>
    public string Summary(string name)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"advice: {name} - {Runs.Count} traces, {Assistant}, asked at {AskText(Ask)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  top-1 right parameter and direction: {Rate(Top1, Faults.Count)}; top-3: {Rate(Top3, Faults.Count)} (parameter only: {Rate(ParameterTop1, Faults.Count)} / {Rate(ParameterTop3, Faults.Count)})");
        text.AppendLine(CultureInfo.InvariantCulture, $"  healthy false alarms: {Rate(FalseAlarms, Healthy.Count)} (changing the training, not only send_signals: {Rate(TrainingFalseAlarms, Healthy.Count)}); true label open when asked: {Rate(Found, Faults.Count)}");
        text.AppendLine(CultureInfo.InvariantCulture, $"  answers: model {ModelAnswers}, rules {RulesAnswers}{(HasModel ? $" (fallbacks {Fallbacks}); model-written top-1 {Rate(ModelTop1, Faults.Count)}" : "")}");
        if (HasModel)
        {
            foreach (var (reason, count) in FallbackReasons)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    {count} x {reason}");
            }
        }

        var (mean, median, p95, max) = Latency();
        text.Append(CultureInfo.InvariantCulture, $"  latency per call: mean {Ms(mean)}, median {Ms(median)}, p95 {Ms(p95)}, max {Ms(max)}");
        return text.ToString();
    }

    private static string AskText(AskPoint ask) => ask == AskPoint.End ? "the end of each trace" : "the first Warning finding (the end when none)";

    private static string Short(ReadSuggestion s) => s.Parameter + Arrow(s.Direction) + (s.FixId is not null && s.FixId != s.Parameter ? $" [{s.FixId}]" : "");

    private static string Long(ReadSuggestion s)
    {
        var values = s.CurrentValue is { } c && s.ProposedValue is { } p ? $" {G(c)}→{G(p)}"
            : s.ProposedValue is { } only ? $" →{G(only)}"
            : "";
        return s.Parameter + values + Arrow(s.Direction) + (s.FixId is not null && s.FixId != s.Parameter ? $" [{s.FixId}]" : "");
    }

    private static string Arrow(Direction direction) => direction switch
    {
        Direction.Down => " ↓",
        Direction.Up => " ↑",
        Direction.Change => " ~",
        _ => " ?",
    };

    private static string G(double value) => value.ToString("G3", CultureInfo.InvariantCulture);

    private static string Mark(bool value) => value ? "✓" : "✗";

    private static string Ms(double ms) => ms >= 10_000 ? $"{ms / 1000:F1} s" : $"{ms:F1} ms";

    private static string Rate(int count, int total) =>
        total == 0 ? "– (0 runs)" : string.Create(CultureInfo.InvariantCulture, $"{count} / {total} ({100.0 * count / total:F0} %)");

    private static double? Ratio(int count, int total) => total == 0 ? null : (double)count / total;

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static double Percentile(List<double> sorted, double p)
    {
        var index = p * (sorted.Count - 1);
        var low = (int)Math.Floor(index);
        var high = (int)Math.Ceiling(index);
        return sorted[low] + ((sorted[high] - sorted[low]) * (index - low));
    }
}
