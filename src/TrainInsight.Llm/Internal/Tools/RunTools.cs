using System.ComponentModel;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Tools;

/// <summary>
/// The tools the model may call while it chats about a run, as <see cref="AIFunction"/>s: current metrics, one metric's
/// history (windowed, thinned), findings, run information with hyperparameters, and a comparison with another run. They
/// read the store (and the bus for what it has not flushed), so finished runs and runs from before a restart work too.
/// Every result is a data block, like the prompt's.
/// </summary>
internal sealed class RunTools(RunDataLoader loader, string runId, TimeProvider time)
{
    public const int MaxHistoryPoints = 200;

    public IList<AITool> Create() =>
    [
        AIFunctionFactory.Create(GetCurrentMetricsAsync, "get_current_metrics", "Gets the latest value of every metric of the run, with its step."),
        AIFunctionFactory.Create(GetMetricHistoryAsync, "get_metric_history", "Gets one metric's values over a window of steps, thinned evenly to at most the given number of points (step:value pairs)."),
        AIFunctionFactory.Create(GetFindingsAsync, "get_findings", "Gets the diagnosis's findings of the run (label, severity, confidence, first step, evidence, fixes)."),
        AIFunctionFactory.Create(GetRunInfoAsync, "get_run_info", "Gets the run's information (model, state, step, epochs), its hyperparameters and its recent control actions."),
        AIFunctionFactory.Create(CompareRunsAsync, "compare_runs", "Compares this run with another run: each one's key metrics (current, best, trend) side by side."),
    ];

    [Description("Gets the latest value of every metric of the run.")]
    public async Task<string> GetCurrentMetricsAsync(CancellationToken cancellationToken)
    {
        var data = await loader.LoadAsync(runId, cancellationToken).ConfigureAwait(false);
        var text = new StringBuilder();
        foreach (var s in data.Series)
        {
            text.Append(UntrustedText.Name(s.Name)).Append('=').Append(RunContextBuilder.F(s.LastValue)).Append(" @").Append(s.LastStep.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        return Block(text.Length == 0 ? "no metrics reported yet" : text.ToString().TrimEnd());
    }

    public async Task<string> GetMetricHistoryAsync(
        [Description("The metric's name, such as train_loss or val_accuracy.")] string name,
        [Description("Only the last this many steps; omit or 0 for the whole run.")] int lastSteps = 0,
        [Description("The most points to return, 2 to 200. The default is 50.")] int points = 50,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Block("error: name is required, such as train_loss");
        }

        points = Math.Clamp(points, 2, MaxHistoryPoints);
        var data = await loader.LoadAsync(runId, cancellationToken).ConfigureAwait(false);
        if (data.Find(name) is null)
        {
            return Block($"error: the run has no metric {UntrustedText.Quote(name, 64)}; it has: {string.Join(", ", data.Series.Select(s => UntrustedText.Name(s.Name)))}");
        }

        long? from = lastSteps > 0 && data.Step is { } step ? Math.Max(0, step - lastSteps) : null;
        var series = await loader.ReadSeriesAsync(runId, name, from, points, cancellationToken).ConfigureAwait(false);
        return Block($"{UntrustedText.Name(name)} ({series.Count} points, step:value): " + string.Join(' ', series.Select(p => p.Step.ToString(CultureInfo.InvariantCulture) + ":" + RunContextBuilder.F(p.Value))));
    }

    public async Task<string> GetFindingsAsync(CancellationToken cancellationToken)
    {
        var data = await loader.LoadAsync(runId, cancellationToken).ConfigureAwait(false);
        var context = RunContextBuilder.Build(data, 4_096, time.GetUtcNow());
        var lines = context.Text.Split('\n').Where(l => l.StartsWith("findings", StringComparison.Ordinal) || l.StartsWith("- [", StringComparison.Ordinal));
        return Block(string.Join('\n', lines));
    }

    public async Task<string> GetRunInfoAsync(CancellationToken cancellationToken)
    {
        var data = await loader.LoadAsync(runId, cancellationToken).ConfigureAwait(false);
        var context = RunContextBuilder.Build(data, 4_096, time.GetUtcNow());
        var lines = context.Text.Split('\n').Where(l => l.StartsWith("run:", StringComparison.Ordinal) || l.StartsWith("hyperparameters:", StringComparison.Ordinal) || l.StartsWith("control actions", StringComparison.Ordinal));
        return Block(string.Join('\n', lines));
    }

    public async Task<string> CompareRunsAsync(
        [Description("The id of the other run.")] string otherRunId,
        CancellationToken cancellationToken = default)
    {
        if (!RunDescriptor.IsValidId(otherRunId))
        {
            return Block($"error: {UntrustedText.Quote(otherRunId, 64)} is not a run id");
        }

        RunData other;
        try
        {
            other = await loader.LoadAsync(otherRunId, cancellationToken).ConfigureAwait(false);
        }
        catch (RunNotFoundException)
        {
            return Block($"error: run {UntrustedText.Quote(otherRunId, 64)} is unknown");
        }

        var data = await loader.LoadAsync(runId, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var left = RunContextBuilder.Build(data, 700, now).Text;
        var right = RunContextBuilder.Build(other, 700, now).Text;
        return "this run:\n" + left + "\nother run:\n" + right;
    }

    private static string Block(string text) => RunContextBuilder.OpenTag + "\n" + text + "\n" + RunContextBuilder.CloseTag;
}
