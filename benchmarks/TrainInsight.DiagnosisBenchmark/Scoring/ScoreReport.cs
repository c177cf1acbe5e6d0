using System.Globalization;
using System.Text;

namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary>
/// The benchmark's scores over a set of replayed traces: the confusion matrix of the first-finding predictions,
/// per-label precision/recall/F1 and their macro mean (over the labels present, healthy included), the healthy
/// false-alarm rate, time to detect from the onset, and the multi-label view (the true label among any finding at Warning or above).
/// </summary>
internal sealed class ScoreReport
{
    public static readonly string[] NumericalLabels = [FindingLabels.Divergence, FindingLabels.ExplodingGradients];

    private ScoreReport(IReadOnlyList<ScoredRun> runs)
    {
        Runs = runs;
        TrueLabels = [.. runs.Select(r => r.TrueLabel).Distinct().OrderBy(l => l == FindingLabels.Healthy ? "" : l, StringComparer.Ordinal)];
        Columns = [.. TrueLabels.Concat(runs.Select(r => r.Predicted).Where(p => !TrueLabels.Contains(p)).Distinct().OrderBy(l => l, StringComparer.Ordinal))];
        Labels = [.. TrueLabels.Select(Score)];
        MacroF1 = Labels.Count == 0 ? 0 : Labels.Average(l => l.F1);
        Accuracy = runs.Count == 0 ? 0 : (double)runs.Count(r => r.Predicted == r.TrueLabel) / runs.Count;
        var healthy = runs.Where(r => r.TrueLabel == FindingLabels.Healthy).ToList();
        HealthyRuns = healthy.Count;
        HealthyFalseAlarms = healthy.Count(r => r.Raised.Count > 0);
        var faults = runs.Where(r => r.TrueLabel != FindingLabels.Healthy).ToList();
        MultiLabelRecall = faults.Count == 0 ? 0 : (double)faults.Count(r => r.TrueLabelRaised) / faults.Count;
        ExtraLabelsPerFaultRun = faults.Count == 0 ? 0 : faults.Average(r => r.Raised.Count(f => f.Label != r.TrueLabel));
        Detection =
        [
            Times("numerical (divergence, exploding_gradients)", faults.Where(r => NumericalLabels.Contains(r.TrueLabel))),
            Times("other faults", faults.Where(r => !NumericalLabels.Contains(r.TrueLabel))),
            Times("all faults", faults),
            .. faults.GroupBy(r => r.TrueLabel).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => Times(g.Key, g)),
        ];
    }

    public IReadOnlyList<ScoredRun> Runs { get; }

    public IReadOnlyList<string> TrueLabels { get; }

    /// <summary>Gets the confusion matrix's columns: the true labels, then any other label predicted.</summary>
    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<LabelScore> Labels { get; }

    public double MacroF1 { get; }

    public double Accuracy { get; }

    public int HealthyRuns { get; }

    public int HealthyFalseAlarms { get; }

    public double HealthyFalseAlarmRate => HealthyRuns == 0 ? 0 : (double)HealthyFalseAlarms / HealthyRuns;

    public double MultiLabelRecall { get; }

    public double ExtraLabelsPerFaultRun { get; }

    public IReadOnlyList<DetectionTimes> Detection { get; }

    public static ScoreReport Create(IReadOnlyList<ScoredRun> runs) => new(runs);

    public int Count(string truth, string predicted) => Runs.Count(r => r.TrueLabel == truth && r.Predicted == predicted);

    /// <summary>A JSON-friendly view of the report.</summary>
    public object ToJson(string name) => new
    {
        set = name,
        runs = Runs.Count,
        accuracy = Accuracy,
        macro_f1 = MacroF1,
        healthy_runs = HealthyRuns,
        healthy_false_alarms = HealthyFalseAlarms,
        healthy_false_alarm_rate = HealthyFalseAlarmRate,
        multi_label_recall = MultiLabelRecall,
        extra_labels_per_fault_run = ExtraLabelsPerFaultRun,
        labels = Labels.Select(l => new
        {
            label = l.Label,
            support = l.Support,
            predicted = l.Predicted,
            true_positives = l.TruePositives,
            precision = l.Precision,
            recall = l.Recall,
            f1 = l.F1,
            multi_label_recall = l.MultiLabelRecall,
        }),
        confusion = new
        {
            rows = TrueLabels,
            columns = Columns,
            counts = TrueLabels.Select(t => Columns.Select(c => Count(t, c)).ToArray()),
        },
        time_to_detect = Detection.Select(d => new
        {
            group = d.Group,
            detected = d.Detected,
            runs = d.Runs,
            median_checks = d.MedianChecks,
            p90_checks = d.P90Checks,
            median_percent_of_run = d.MedianPercent,
            p90_percent_of_run = d.P90Percent,
        }),
        per_run = Runs.Select(r => new
        {
            run = r.Run,
            truth = r.TrueLabel,
            predicted = r.Predicted,
            raised = r.Raised.Select(f => $"{f.Label}@{f.Step}({f.Severity.ToString().ToLowerInvariant()})"),
            true_label_raised = r.TrueLabelRaised,
            checks_to_detect = r.ChecksToDetect,
            percent_to_detect = r.PercentToDetect,
            onset_step = r.OnsetStep,
            total_steps = r.TotalSteps,
            final_val_accuracy = r.FinalValAccuracy,
        }),
    };

    /// <summary>The report as Markdown tables (the text format).</summary>
    public string ToMarkdown(string name)
    {
        var s = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        s.Append(c, $"## Diagnosis scores: {name} ({Runs.Count} runs)\n\n");
        s.Append(c, $"- first-finding accuracy {Accuracy:P1}, **macro-F1 {MacroF1:F3}** (over {TrueLabels.Count} labels, healthy included)\n");
        s.Append(c, $"- healthy false alarms: {HealthyFalseAlarms}/{HealthyRuns} ({HealthyFalseAlarmRate:P0}) healthy runs raised a finding at Warning or above\n");
        s.Append(c, $"- multi-label recall: {MultiLabelRecall:P1} of fault runs had their true label among the findings at Warning or above; {ExtraLabelsPerFaultRun:F2} other labels per fault run\n\n");
        s.Append("| label | runs | predicted | precision | recall | F1 | multi-label recall |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var l in Labels)
        {
            s.Append(c, $"| {l.Label} | {l.Support} | {l.Predicted} | {l.Precision:F2} | {l.Recall:F2} | {l.F1:F2} | {l.MultiLabelRecall:F2} |\n");
        }

        s.Append("\n### Confusion matrix (rows: truth, columns: first finding at Warning or above)\n\n| truth \\ predicted |");
        var abbreviations = Columns.Select(Abbreviate).ToList();
        foreach (var a in abbreviations)
        {
            s.Append(c, $" {a} |");
        }

        s.Append("\n| --- |").Append(string.Concat(Enumerable.Repeat(" ---: |", Columns.Count))).Append('\n');
        foreach (var truth in TrueLabels)
        {
            s.Append(c, $"| {truth} |");
            foreach (var column in Columns)
            {
                var n = Count(truth, column);
                s.Append(n == 0 ? " · |" : $" {n} |");
            }

            s.Append('\n');
        }

        s.Append("\nColumns: ").Append(string.Join(", ", Columns.Zip(abbreviations, (l, a) => $"{a} = {l}"))).Append("\n\n");
        s.Append("### Time to detect the true label from the onset\n\n| group | detected | median checks | p90 checks | median % of run | p90 % of run |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var d in Detection)
        {
            s.Append(c, $"| {d.Group} | {d.Detected}/{d.Runs} | {Format(d.MedianChecks, "F0")} | {Format(d.P90Checks, "F0")} | {Format(d.MedianPercent, "F1")} | {Format(d.P90Percent, "F1")} |\n");
        }

        s.Append("\n### Runs\n\n| run | truth | first finding | findings at Warning+ (label@step) | checks to detect |\n| --- | --- | --- | --- | ---: |\n");
        foreach (var r in Runs)
        {
            var mark = r.Predicted == r.TrueLabel ? string.Empty : " ✗";
            s.Append(c, $"| {r.Run} | {r.TrueLabel} | {r.Predicted}{mark} | {string.Join(", ", r.Raised.Select(f => $"{f.Label}@{f.Step}"))} | {(r.ChecksToDetect is { } k ? k.ToString(c) : "–")} |\n");
        }

        return s.ToString();
    }

    private static string Abbreviate(string label) => label == FindingLabels.Healthy
        ? "healthy"
        : string.Concat(label.Split('_').Select(p => p[0]));

    private static string Format(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    private static double? Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.OrderBy(v => v).ToList();
        var rank = p * (sorted.Count - 1);
        var low = (int)Math.Floor(rank);
        var high = (int)Math.Ceiling(rank);
        return sorted[low] + ((sorted[high] - sorted[low]) * (rank - low));
    }

    private static DetectionTimes Times(string group, IEnumerable<ScoredRun> runs)
    {
        var list = runs.ToList();
        var detected = list.Where(r => r.ChecksToDetect is not null).ToList();
        var checks = detected.Select(r => (double)r.ChecksToDetect!.Value).ToList();
        var percent = detected.Where(r => r.PercentToDetect is not null).Select(r => r.PercentToDetect!.Value).ToList();
        return new DetectionTimes(group, detected.Count, list.Count, Percentile(checks, 0.5), Percentile(checks, 0.9), Percentile(percent, 0.5), Percentile(percent, 0.9));
    }

    private LabelScore Score(string label)
    {
        var support = Runs.Count(r => r.TrueLabel == label);
        var predicted = Runs.Count(r => r.Predicted == label);
        var tp = Runs.Count(r => r.TrueLabel == label && r.Predicted == label);
        var precision = predicted == 0 ? 0 : (double)tp / predicted;
        var recall = support == 0 ? 0 : (double)tp / support;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        var multi = label == FindingLabels.Healthy
            ? (support == 0 ? 0 : (double)Runs.Count(r => r.TrueLabel == label && r.Raised.Count == 0) / support)
            : (support == 0 ? 0 : (double)Runs.Count(r => r.TrueLabel == label && r.TrueLabelRaised) / support);
        return new LabelScore(label, support, predicted, tp, precision, recall, f1, multi);
    }
}
