using System.ComponentModel;
using System.Text.Json;
using ModelContextProtocol.Protocol;
using TrainInsight.Llm.Internal.Context;
using TrainInsight.Llm.Internal.Tools;
using TrainInsight.Wire;

namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>
/// The read-only tools: the runs, and per run the assistant's own tools (<see cref="RunTools"/>, made for each call), so an
/// MCP client reads exactly what the assistant's model reads, in the same data blocks.
/// </summary>
/// <remarks>The parameter names are the tools' argument names, in snake_case as MCP clients expect them.</remarks>
internal sealed class RunToolset(RunDataLoader loader, ITrainingControl control, McpOptions options, TimeProvider time)
{
    public const int DefaultRunLimit = 20;

    public async Task<CallToolResult> ListRunsAsync(
        [Description("The most runs to return, the most recently updated first; 1 to the server's maximum (50 unless configured). The default is 20.")] int limit = DefaultRunLimit,
        CancellationToken cancellationToken = default)
    {
        if (limit < 1)
        {
            return ToolResults.Error($"limit must be at least 1; got {limit}.");
        }

        limit = Math.Min(limit, options.MaxRuns);
        var stored = await loader.Store.GetRunsAsync(limit, cancellationToken).ConfigureAwait(false);
        var known = stored.Select(r => r.Run.Id).ToHashSet(StringComparer.Ordinal);

        // Runs the store has not written yet (it flushes every StoreFlushInterval, or the host has no store of its own):
        // the bus's ring after the newest stored event. Those published most recently, so they come first.
        var newest = stored.Count == 0 ? 0 : stored.Max(r => r.LastOffset);
        var fresh = new List<MetricsSnapshot>();
        foreach (var item in loader.Bus.GetHistory(newest))
        {
            if (known.Add(item.RunId) && loader.Bus.GetCurrent(item.RunId) is { } snapshot)
            {
                fresh.Add(snapshot);
            }
        }

        fresh.Reverse();
        var active = control.ActiveRuns.ToHashSet(StringComparer.Ordinal);
        var rows = fresh.Select(s => (s.Run, s.State, s.Step, s.Epoch, s.Timestamp, Metrics: (IReadOnlyList<string>)[.. s.Values.Keys.Order(StringComparer.Ordinal)]))
            .Concat(stored.Select(r =>
            {
                // The bus knows a live run's newest state and step; the store is a flush behind.
                var live = loader.Bus.GetCurrent(r.Run.Id);
                return (r.Run, live?.State ?? r.State, live?.Step ?? r.LastStep, live?.Epoch ?? r.LastEpoch, live?.Timestamp ?? r.LastEventAt, Metrics: r.MetricNames);
            }))
            .Take(limit)
            .ToList();
        var text = JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", rows.Count);
            w.WriteStartArray("runs");
            foreach (var (run, state, step, epoch, lastEventAt, metrics) in rows)
            {
                WriteRun(w, run, state, step, epoch, lastEventAt, active.Contains(run.Id), metrics);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
        return ToolResults.Text(text);
    }

    public async Task<CallToolResult> GetCurrentMetricsAsync(
        [Description("The run's id, as list_runs gives it.")] string run_id,
        CancellationToken cancellationToken = default) =>
        Check(run_id) ?? ToolResults.FromBlock(await For(run_id).GetCurrentMetricsAsync(cancellationToken).ConfigureAwait(false));

    public async Task<CallToolResult> GetMetricHistoryAsync(
        [Description("The run's id, as list_runs gives it.")] string run_id,
        [Description("The metric's name, such as train_loss or val_accuracy (get_current_metrics lists the run's metrics).")] string name,
        [Description("Only the last this many steps; 0 for the whole run. The default is 0.")] int last_steps = 0,
        [Description("The most points to return, 2 to 200, evenly thinned. The default is 50.")] int points = 50,
        CancellationToken cancellationToken = default)
    {
        if (Check(run_id) is { } invalid)
        {
            return invalid;
        }

        if (last_steps < 0)
        {
            return ToolResults.Error($"last_steps must be 0 (the whole run) or more; got {last_steps}.");
        }

        if (points is < 2 or > RunTools.MaxHistoryPoints)
        {
            return ToolResults.Error($"points must be from 2 to {RunTools.MaxHistoryPoints}; got {points}.");
        }

        return ToolResults.FromBlock(await For(run_id).GetMetricHistoryAsync(name, last_steps, points, cancellationToken).ConfigureAwait(false));
    }

    public async Task<CallToolResult> GetFindingsAsync(
        [Description("The run's id, as list_runs gives it.")] string run_id,
        CancellationToken cancellationToken = default) =>
        Check(run_id) ?? ToolResults.FromBlock(await For(run_id).GetFindingsAsync(cancellationToken).ConfigureAwait(false));

    public async Task<CallToolResult> GetRunInfoAsync(
        [Description("The run's id, as list_runs gives it.")] string run_id,
        CancellationToken cancellationToken = default) =>
        Check(run_id) ?? ToolResults.FromBlock(await For(run_id).GetRunInfoAsync(cancellationToken).ConfigureAwait(false));

    public async Task<CallToolResult> CompareRunsAsync(
        [Description("The run's id, as list_runs gives it.")] string run_id,
        [Description("The id of the run to compare it with.")] string other_run_id,
        CancellationToken cancellationToken = default)
    {
        if ((Check(run_id) ?? Check(other_run_id)) is { } invalid)
        {
            return invalid;
        }

        // RunTools answers for an unknown other run itself; an unknown first run throws, as it does for every tool.
        await loader.LoadAsync(run_id, cancellationToken).ConfigureAwait(false);
        return ToolResults.FromBlock(await For(run_id).CompareRunsAsync(other_run_id, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>An error result for what is not a run id (never one to look up), or null.</summary>
    internal static CallToolResult? Check(string? runId) =>
        RunDescriptor.IsValidId(runId)
            ? null
            : ToolResults.Error(string.IsNullOrWhiteSpace(runId)
                ? "run_id is required; list_runs lists the runs."
                : $"'{Shorten(runId)}' is not a run id (1 to 128 letters, digits, '-', '_' or '.'); list_runs lists the runs.");

    internal static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";

    private static void WriteRun(Utf8JsonWriter w, RunDescriptor run, RunState state, long? step, int? epoch, DateTimeOffset lastEventAt, bool live, IReadOnlyList<string> metrics)
    {
        w.WriteStartObject();
        w.WriteString("id", run.Id);
        w.WriteString("name", run.Name);
        JsonText.OptionalString(w, "model", run.ModelName);
        w.WriteString("state", WireNames.State(state));
        w.WriteBoolean("live", live);
        if (step is { } s)
        {
            w.WriteNumber("step", s);
        }

        if (epoch is { } e)
        {
            w.WriteNumber("epoch", e);
        }

        if (run.TotalEpochs is { } total)
        {
            w.WriteNumber("total_epochs", total);
        }

        JsonText.Time(w, "started_at", run.StartedAt);
        JsonText.Time(w, "last_event_at", lastEventAt);
        w.WriteStartArray("metrics");
        foreach (var m in metrics)
        {
            w.WriteStringValue(m);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private RunTools For(string runId) => new(loader, runId, time);
}
