using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Prompts;

/// <summary>Builds the chat messages that ask a model to analyze one run.</summary>
internal static class AnalysisPrompt
{
    public const string SystemPrompt =
        "You are TrainInsight's training analyst. You review the telemetry of one machine-learning training run and advise " +
        "the engineer who runs it. Use only the data given in the user's message: do not invent metrics, steps or values " +
        "that are not there, and say so when the data is not enough to tell. The rule findings were computed from the same " +
        "data by TrainInsight's detectors; confirm, refine or dispute them. Answer concisely: a one-sentence diagnosis, the evidence with its numbers, " +
        "then at most three concrete next steps.";

    /// <summary>Builds the system message and the user message with the run's summary and the rule findings.</summary>
    public static List<ChatMessage> Build(RunHistory history, IReadOnlyList<FindingEvent> findings, LlmOptions options) =>
    [
        new ChatMessage(ChatRole.System, SystemPrompt),
        new ChatMessage(ChatRole.User, BuildSummary(history, findings, options.MaxPromptPoints)),
    ];

    /// <summary>Writes a compact summary of the run; every series lists at most <paramref name="maxPoints"/> points.</summary>
    public static string BuildSummary(RunHistory history, IReadOnlyList<FindingEvent> findings, int maxPoints)
    {
        var run = history.Run;
        var current = history.Current;
        var sb = new StringBuilder(1024);

        sb.AppendLine("Analyze this training run.").AppendLine();
        sb.AppendLine("## Run");
        sb.Append(CultureInfo.InvariantCulture, $"- id: {run.Id}; name: {run.Name}; state: {current.State}").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- model: {run.ModelName ?? "unknown"}; parameters: {Optional(run.ParameterCount)}").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- planned epochs: {Optional(run.TotalEpochs)}; steps per epoch: {Optional(run.StepsPerEpoch)}; started: {run.StartedAt.ToString("u", CultureInfo.InvariantCulture)}").AppendLine();
        sb.Append(CultureInfo.InvariantCulture, $"- latest step: {Optional(current.Step)}; latest epoch: {Optional(current.Epoch)}").AppendLine();

        var loss = history.TrainLoss;
        sb.AppendLine().Append(CultureInfo.InvariantCulture, $"## train_loss ({loss.Count} samples)").AppendLine();
        if (loss.Count == 0)
        {
            sb.AppendLine("- none sampled");
        }
        else
        {
            var nonFinite = loss.Count(p => !double.IsFinite(p.Value));
            var finite = Numbers.Finite(loss);
            sb.Append(CultureInfo.InvariantCulture, $"- first: {Point(loss[0])}; last: {Point(loss[^1])}");
            if (finite.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"; min: {Point(finite.MinBy(p => p.Value))}");
            }

            sb.Append(CultureInfo.InvariantCulture, $"; not finite: {nonFinite}").AppendLine();
            var thinned = Thin(loss, maxPoints);
            sb.Append(CultureInfo.InvariantCulture, $"- samples (step:value, {thinned.Count} of {loss.Count}): ");
            sb.AppendJoin(", ", thinned.Select(p => $"{Numbers.Format(p.Step)}:{Numbers.Format(p.Value)}")).AppendLine();
        }

        var epochs = history.Epochs;
        sb.AppendLine().Append(CultureInfo.InvariantCulture, $"## Epochs ({epochs.Count} with a summary)").AppendLine();
        if (epochs.Count == 0)
        {
            sb.AppendLine("- none completed");
        }

        foreach (var epoch in Thin(epochs, maxPoints))
        {
            sb.Append(CultureInfo.InvariantCulture, $"- epoch {epoch.Epoch}: ");
            sb.AppendJoin(", ", epoch.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={Numbers.Format(v.Value)}")).AppendLine();
        }

        sb.AppendLine().AppendLine("## Optimizer and throughput");
        AppendSeries(sb, history, MetricNames.LearningRate);
        AppendSeries(sb, history, MetricNames.SamplesPerSecond);
        AppendSeries(sb, history, MetricNames.StepsPerSecond);

        if (current.Values.Count > 0)
        {
            sb.Append("- latest values: ");
            sb.AppendJoin(", ", current.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Take(maxPoints).Select(v => $"{v.Key}={Numbers.Format(v.Value)}")).AppendLine();
        }

        sb.AppendLine().AppendLine("## Rule findings");
        if (findings.Count == 0)
        {
            sb.AppendLine("- none: the detectors found no open problem");
        }

        foreach (var finding in findings)
        {
            sb.Append("- ").AppendLine(FindingText.Line(finding));
            foreach (var fix in finding.Fixes)
            {
                sb.Append("  - suggested fix (").Append(FindingText.Kind(fix.Kind)).Append("): ").Append(fix.Title).Append(" — ").AppendLine(fix.Rationale);
            }
        }

        return sb.ToString();
    }

    /// <summary>Keeps at most <paramref name="max"/> items, evenly spaced, always the first and the last.</summary>
    internal static IReadOnlyList<T> Thin<T>(IReadOnlyList<T> items, int max)
    {
        if (items.Count <= max)
        {
            return items;
        }

        if (max == 1)
        {
            return [items[^1]];
        }

        var result = new List<T>(max);
        for (var i = 0; i < max; i++)
        {
            result.Add(items[(int)((long)i * (items.Count - 1) / (max - 1))]);
        }

        return result;
    }

    private static void AppendSeries(StringBuilder sb, RunHistory history, string name)
    {
        var points = history.Get(name);
        if (points.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"- {name}: not reported").AppendLine();
            return;
        }

        var finite = Numbers.Finite(points);
        sb.Append(CultureInfo.InvariantCulture, $"- {name}: first {Point(points[0])}; last {Point(points[^1])}");
        if (finite.Count > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"; mean {Numbers.Format(finite.Average(p => p.Value))}");
        }

        sb.AppendLine();
    }

    private static string Point(MetricSample point) => $"{Numbers.Format(point.Value)} at step {Numbers.Format(point.Step)}";

    private static string Optional<T>(T? value)
        where T : struct, IFormattable => value is { } v ? v.ToString(null, CultureInfo.InvariantCulture) : "unknown";
}
