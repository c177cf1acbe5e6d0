using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace TrainInsight.Internal;

/// <summary>
/// The runs the bus has dispatched events of, each with its <see cref="RunTracker"/>: numbering continues from the
/// store's last sequences, snapshots merge every update, and silent runs are found for the lost-run check. Not
/// thread-safe: the bus calls it under its gate.
/// </summary>
internal sealed class RunRegistry(IReadOnlyDictionary<string, long> recoveredSequences, ILogger logger)
{
    private readonly Dictionary<string, RunTracker> _runs = new(StringComparer.Ordinal);
    private RunTracker[] _batchRuns = new RunTracker[256];

    /// <summary>Gets the run that published most recently, or <see langword="null"/> before the first event.</summary>
    public RunTracker? Latest { get; private set; }

    /// <summary>Gets how many events could not be merged into their run's snapshot.</summary>
    public long SnapshotErrors { get; private set; }

    public RunTracker? Find(string runId) => _runs.GetValueOrDefault(runId);

    public bool Contains(string runId) => _runs.ContainsKey(runId);

    /// <summary>The last sequence the store holds of a run the bus has not seen yet (0 when none).</summary>
    public long RecoveredSequence(string runId) => recoveredSequences.GetValueOrDefault(runId);

    /// <summary>
    /// Numbers a batch: each event gets its offset (after <paramref name="lastOffset"/>) and its run's next sequence, and
    /// its run is marked seen at <paramref name="now"/>. Returns the last offset given.
    /// </summary>
    public long Number(Span<TrainInsightEvent> items, long lastOffset, long now, HistoryRing ring)
    {
        var run = Latest;
        if (_batchRuns.Length < items.Length)
        {
            _batchRuns = new RunTracker[Math.Max(items.Length, 2 * _batchRuns.Length)];
        }

        for (var i = 0; i < items.Length; i++)
        {
            var item = items[i];
            if (run is null || !ReferenceEquals(item.RunId, run.Run.Id) && !string.Equals(item.RunId, run.Run.Id, StringComparison.Ordinal))
            {
                run = GetOrAdd(item);
            }

            item.OffsetValue = ++lastOffset;
            item.SequenceValue = ++run.LastSequence;
            if (item is not (FindingEvent or ProposalEvent or AssistantAnalysisEvent))
            {
                // Findings, proposals and analyses are published about the run, not by its trainer: they are no sign of life.
                run.LastSeen = now;
                run.LostPending = false;
            }

            ring.Add(item);
            _batchRuns[i] = run;
        }

        Latest = run;
        return lastOffset;
    }

    /// <summary>
    /// Merges the batch <see cref="Number"/> numbered into the runs' snapshots. Guarded per event: a publisher that broke
    /// the contract (changed a dictionary after publishing) costs its own snapshot values, nothing else; the first such
    /// error is logged with its exception, every one is counted.
    /// </summary>
    public void Observe(Span<TrainInsightEvent> items, MeterMirror meter)
    {
        for (var i = 0; i < items.Length; i++)
        {
            try
            {
                _batchRuns[i].Observe(items[i], meter);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (++SnapshotErrors == 1)
                {
                    BusLog.SnapshotFailed(logger, items[i].RunId, ex);
                }
            }
        }

        Array.Clear(_batchRuns, 0, items.Length);
    }

    /// <summary>
    /// Returns the runs that are training or paused, are not in <paramref name="attached"/>, and have been silent since
    /// <paramref name="silentSince"/> (a Stopwatch timestamp); marks each so it is returned once per silence.
    /// </summary>
    public List<SilentRun> TakeSilent(long silentSince, IReadOnlyCollection<string>? attached)
    {
        var silent = new List<SilentRun>();
        foreach (var tracker in _runs.Values)
        {
            if (tracker.LastSeen < silentSince && !tracker.LostPending
                && tracker.Summary.State is RunState.Training or RunState.Paused
                && attached?.Contains(tracker.Run.Id) != true)
            {
                tracker.LostPending = true;
                silent.Add(new SilentRun(tracker.Run, tracker.Summary.LastStep, tracker.Summary.LastEpoch, tracker.LastSeen));
            }
        }

        return silent;
    }

    /// <summary>The latest value of <paramref name="name"/> in every run that reported it, tagged with the run's id.</summary>
    public List<Measurement<double>> Measure(string name)
    {
        var result = new List<Measurement<double>>();
        foreach (var run in _runs.Values)
        {
            if (run.TryGetValue(name, out var value))
            {
                result.Add(new Measurement<double>(value, new KeyValuePair<string, object?>("run_id", run.Run.Id)));
            }
        }

        return result;
    }

    private RunTracker GetOrAdd(TrainInsightEvent item)
    {
        if (!_runs.TryGetValue(item.RunId, out var run))
        {
            run = new RunTracker(item.Run, item.Timestamp, recoveredSequences.GetValueOrDefault(item.RunId));
            _runs.Add(item.RunId, run);
        }

        return run;
    }
}
