using TrainInsight.Diagnostics;

namespace TrainInsight.Llm.Internal.Context;

/// <summary>
/// Reads a run for the assistant: its summary, every metric series (paged from the store and folded into
/// <see cref="SeriesSummary"/>s, then the bus's newer events not yet flushed), findings and control history. Finished runs
/// and runs from before a restart come from the store alone.
/// </summary>
internal sealed class RunDataLoader(IMetricStore store, ITelemetryBus bus, DiagnosisEngine? diagnosis)
{
    private const int PageSize = 20_000;

    /// <summary>The most metric series read per run: the first ones by rank.</summary>
    public const int MaxSeries = 64;

    private static readonly string[] s_rank =
    [
        MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy, MetricNames.BestAccuracy,
        MetricNames.LearningRate, MetricNames.GradientNorm, MetricNames.UpdateRatio, MetricNames.WeightNorm,
        MetricNames.DeadRelu, MetricNames.Saturation, MetricNames.SamplesPerSecond, MetricNames.BatchTime, MetricNames.DataTime,
        MetricNames.GpuMemoryUsed, MetricNames.GpuMemoryTotal, MetricNames.GpuUtilization, MetricNames.InputMean, MetricNames.InputStd,
    ];

    public IMetricStore Store => store;

    public ITelemetryBus Bus => bus;

    public async Task<RunData> LoadAsync(string runId, CancellationToken cancellationToken)
    {
        var stored = await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        var current = bus.GetCurrent(runId);
        if (stored is null && current is null)
        {
            throw new RunNotFoundException($"Run '{runId}' is unknown: neither the bus nor the store has an event of it.") { RunId = runId };
        }

        var names = new HashSet<string>(stored?.MetricNames ?? [], StringComparer.Ordinal);
        if (current is not null)
        {
            names.UnionWith(current.Values.Keys);
        }

        var ranked = Rank(names);
        var series = ranked.ToDictionary(n => n, n => new SeriesSummary(n), StringComparer.Ordinal);
        var storedOffset = stored?.LastOffset ?? 0;
        if (stored is not null && ranked.Count > 0)
        {
            await ReadStoreAsync(runId, ranked, series, cancellationToken).ConfigureAwait(false);
        }

        // Events the store writer has not flushed yet (or a store-less bus): the ring, after the store's last offset.
        foreach (var item in bus.GetHistory(storedOffset))
        {
            if (item is MetricEvent metric && string.Equals(item.RunId, runId, StringComparison.Ordinal))
            {
                foreach (var (name, value) in metric.Values)
                {
                    if (series.TryGetValue(name, out var summary))
                    {
                        summary.Add(metric.Step, value);
                    }
                }
            }
        }

        var findings = await ReadFindingsAsync(runId, cancellationToken).ConfigureAwait(false);
        var commands = await store.GetCommandsAsync(runId, cancellationToken).ConfigureAwait(false);
        var run = current?.Run ?? stored!.Run;
        return new RunData
        {
            Run = run,
            State = current?.State ?? stored!.State,
            Step = current?.Step ?? stored?.LastStep,
            Epoch = current?.Epoch ?? stored?.LastEpoch,
            LastEventAt = current?.Timestamp ?? stored!.LastEventAt,
            Series = [.. ranked.Select(n => series[n]).Where(s => s.Count + s.NonFinite > 0)],
            Findings = findings,
            Commands = commands,
            LastOffset = Math.Max(storedOffset, current?.Offset ?? 0),
        };
    }

    /// <summary>Reads one series in a step window, thinned to at most <paramref name="points"/> points.</summary>
    public async Task<IReadOnlyList<MetricSample>> ReadSeriesAsync(string runId, string name, long? fromStep, int points, CancellationToken cancellationToken)
    {
        var summary = new List<MetricSample>();
        var query = new MetricQuery(runId) { Names = [name], Limit = PageSize, AfterStep = fromStep is > 0 ? fromStep - 1 : null };
        var lastOffset = 0L;
        while (true)
        {
            var page = await store.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
            foreach (var p in page)
            {
                summary.Add(new MetricSample(p.Step, p.Value));
                lastOffset = Math.Max(lastOffset, p.Offset);
            }

            if (page.Count < PageSize)
            {
                break;
            }

            query = new MetricQuery(runId) { Names = [name], Limit = PageSize, AfterStep = page[^1].Step };
        }

        foreach (var item in bus.GetHistory(lastOffset))
        {
            if (item is MetricEvent metric && string.Equals(item.RunId, runId, StringComparison.Ordinal) &&
                metric.Values.TryGetValue(name, out var value) && (fromStep is null || metric.Step >= fromStep) &&
                (summary.Count == 0 || metric.Step > summary[^1].Step))
            {
                summary.Add(new MetricSample(metric.Step, value));
            }
        }

        return Thin(summary, points);
    }

    /// <summary>Keeps at most <paramref name="points"/> points, evenly spaced, always with the first and the last.</summary>
    public static IReadOnlyList<MetricSample> Thin(IReadOnlyList<MetricSample> all, int points)
    {
        if (all.Count <= points)
        {
            return all;
        }

        var result = new List<MetricSample>(points);
        for (var i = 0; i < points; i++)
        {
            result.Add(all[(int)Math.Round(i * (all.Count - 1) / (double)(points - 1))]);
        }

        return result;
    }

    public async Task<IReadOnlyList<FindingEvent>> ReadFindingsAsync(string runId, CancellationToken cancellationToken)
    {
        IReadOnlyList<FindingEvent> live = diagnosis?.GetFindings(runId) ?? [];
        var all = live.Count > 0
            ? live
            : await store.GetFindingsAsync(new FindingQuery(runId) { State = FindingState.Open }, cancellationToken).ConfigureAwait(false);
        return [.. all.Where(f => f.State == FindingState.Open).OrderByDescending(f => f.Severity).ThenByDescending(f => f.Confidence).ThenBy(f => f.FirstStep)];
    }

    private async Task ReadStoreAsync(string runId, IReadOnlyList<string> names, Dictionary<string, SeriesSummary> series, CancellationToken cancellationToken)
    {
        // Page by step (a run's steps do not go back). A full page may end part way through a step, so its last step is
        // not folded but read again, whole, at the start of the next page.
        long? afterStep = null;
        while (true)
        {
            var query = new MetricQuery(runId) { Names = [.. names], Limit = PageSize, AfterStep = afterStep };
            var page = await store.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
            var full = page.Count == PageSize;
            var last = page.Count > 0 ? page[^1].Step : 0;
            long next = full && page[0].Step == last ? last : last - 1;

            // Steps that went back (a restarted counter) would page forever: read what this page has and stop.
            var stuck = full && (next < 0 || (afterStep is { } previous && next <= previous));
            var wholePageOneStep = !full || stuck || page[0].Step == last;
            foreach (var point in page)
            {
                if (wholePageOneStep || point.Step < last)
                {
                    series[point.Name].Add(point.Step, point.Value);
                }
            }

            if (!full || stuck)
            {
                return;
            }

            afterStep = next;
        }
    }

    private static List<string> Rank(HashSet<string> names)
    {
        var ranked = s_rank.Where(names.Contains).ToList();
        ranked.AddRange(names.Where(n => !s_rank.Contains(n, StringComparer.Ordinal)).Order(StringComparer.Ordinal));
        return ranked.Count > MaxSeries ? ranked[..MaxSeries] : ranked;
    }
}
