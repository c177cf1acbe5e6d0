using TrainInsight.Diagnostics.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>
/// Diagnoses training runs from their events, incrementally: each event updates its run's detectors in O(1) amortised time
/// (no re-scan of history) and returns the finding revisions it caused. Many runs may be interleaved. For offline use (a
/// saved trace, a TensorBoard log) or inside a subscriber; <see cref="DiagnosisEngine"/> runs one behind a bus.
/// </summary>
/// <remarks>Not thread-safe: call it from one thread at a time. Findings it returns are not published anywhere.</remarks>
public sealed class TrainingDiagnoser
{
    private static readonly IReadOnlyList<FindingEvent> s_none = [];
    private readonly DiagnosticsOptions _options;
    private readonly Dictionary<string, RunDiagnosis> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (RunDiagnosis Run, bool Validation)> _byRunId = new(StringComparer.Ordinal);
    private readonly List<FindingEvent> _output = [];
    private long _clock;

    /// <summary>Initializes a new instance of the <see cref="TrainingDiagnoser"/> class.</summary>
    /// <param name="options">The labels, thresholds and aliases. The default is <c>new DiagnosticsOptions()</c>.</param>
    public TrainingDiagnoser(DiagnosticsOptions? options = null)
    {
        _options = options ?? new DiagnosticsOptions();
    }

    /// <summary>Gets how many runs the diagnoser holds state for.</summary>
    public int RunCount => _byKey.Count;

    /// <summary>Feeds one event (metric updates and epoch completions are read; findings and gaps are ignored).</summary>
    /// <param name="item">The event.</param>
    /// <returns>The finding revisions the event caused, in priority order (raised, updated or resolved); usually none.</returns>
    public IReadOnlyList<FindingEvent> Observe(TrainInsightEvent item)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item is MetricEvent metrics)
        {
            var (run, validation) = GetRun(item);
            _output.Clear();
            run.ObserveMetrics(metrics, validation, _output);
        }
        else if (item is TrainingEvent { Kind: TrainingEventKind.EpochCompleted } completed)
        {
            var (run, _) = GetRun(item);
            _output.Clear();
            run.ObserveEpoch(completed, _output);
        }
        else
        {
            return s_none;
        }

        return _output.Count == 0 ? s_none : [.. _output];
    }

    /// <summary>Gets the latest revision of each of a run's findings (the latest episode of each label), in the order raised.</summary>
    /// <param name="runId">The run (for a train/validation pair, either side).</param>
    /// <returns>The findings, open and resolved; empty for a run the diagnoser has not seen.</returns>
    public IReadOnlyList<FindingEvent> GetFindings(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (!_byRunId.TryGetValue(runId, out var entry))
        {
            return s_none;
        }

        var found = entry.Run.Trackers.Select(t => t.Latest).OfType<FindingEvent>().ToList();
        if (entry.Run.CoverageFinding is { } coverage)
        {
            found.Add(coverage);
        }

        return [.. found.OrderBy(f => f.FirstStep).ThenBy(f => f.FirstSeenAt)];
    }

    /// <summary>Gets, for each label, whether the run sent the signals it needs.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>One entry per enabled label; empty for a run the diagnoser has not seen.</returns>
    public IReadOnlyList<LabelCoverage> GetCoverage(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (!_byRunId.TryGetValue(runId, out var entry))
        {
            return [];
        }

        var run = entry.Run;
        return [.. run.Trackers.Select(t => new LabelCoverage(t.Detector.Label, t.Detector.IsCovered(run), t.Detector.NeededSignals))];
    }

    /// <summary>Forgets a run's state (for example after it finished and its findings were stored).</summary>
    /// <param name="runId">The run.</param>
    /// <returns><see langword="true"/> when the diagnoser held it.</returns>
    public bool Forget(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        if (!_byRunId.TryGetValue(runId, out var entry))
        {
            return false;
        }

        var keys = _byRunId.Where(p => ReferenceEquals(p.Value.Run, entry.Run)).Select(p => p.Key).ToList();
        foreach (var key in keys)
        {
            _byRunId.Remove(key);
        }

        foreach (var pair in _byKey.Where(p => ReferenceEquals(p.Value, entry.Run)).ToList())
        {
            _byKey.Remove(pair.Key);
        }

        return true;
    }

    private (RunDiagnosis Run, bool Validation) GetRun(TrainInsightEvent item)
    {
        if (_byRunId.TryGetValue(item.RunId, out var entry))
        {
            entry.Run.LastTouched = ++_clock;
            return entry;
        }

        var (key, validation, train) = KeyOf(item.RunId);
        if (!_byKey.TryGetValue(key, out var run))
        {
            if (_byKey.Count >= _options.MaxRuns)
            {
                Evict();
            }

            run = new RunDiagnosis(item.Run, _options);
            _byKey.Add(key, run);
        }

        if (train && !run.HasTrainSide)
        {
            run.Run = item.Run;
            run.HasTrainSide = true;
        }

        run.LastTouched = ++_clock;
        entry = (run, validation);
        _byRunId.Add(item.RunId, entry);
        return entry;
    }

    private (string Key, bool Validation, bool Train) KeyOf(string runId)
    {
        var cut = runId.LastIndexOfAny(['/', '.']);
        var last = cut >= 0 ? runId[(cut + 1)..] : runId;
        var prefix = cut >= 0 ? runId[..cut] : string.Empty;
        var aliases = _options.Aliases;
        if (aliases.ValidationRunSuffixes.Contains(last))
        {
            return (prefix + "\u0001pair", true, false);
        }

        if (aliases.TrainRunSuffixes.Contains(last))
        {
            return (prefix + "\u0001pair", false, true);
        }

        return (runId, false, true);
    }

    private void Evict()
    {
        var oldest = _byKey.MinBy(p => p.Value.LastTouched);
        _byKey.Remove(oldest.Key);
        foreach (var id in _byRunId.Where(p => ReferenceEquals(p.Value.Run, oldest.Value)).Select(p => p.Key).ToList())
        {
            _byRunId.Remove(id);
        }
    }
}
