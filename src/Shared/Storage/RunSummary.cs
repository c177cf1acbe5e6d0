// Shared source: compiled into TrainInsight.Core (the bus and InMemoryMetricStore) and TrainInsight.Sqlite, so that
// every place that summarises a run follows the same rules. No public API.
namespace TrainInsight.Internal;

/// <summary>
/// What a run's events say about it, folded one event at a time: its state, its position (step, epoch, batch), its last
/// event and, when tracked, the names of the metrics it reported. Not thread-safe; <see cref="Clone"/> gives a copy to
/// change while readers hold the original.
/// </summary>
/// <remarks>
/// The state follows the training events: a <see cref="TrainingEvent"/> with a <see cref="TrainingEvent.State"/> sets it,
/// and a <see cref="TrainingEventKind.RunLost"/> notice makes the run <see cref="RunState.Lost"/>. A lost run whose events
/// resume comes back to life: the next event that carries no state of its own makes it <see cref="RunState.Training"/>.
/// </remarks>
internal sealed class RunSummary
{
    /// <summary>Initializes a new instance of the <see cref="RunSummary"/> class for a run first seen at <paramref name="firstEventAt"/>.</summary>
    /// <param name="run">The run.</param>
    /// <param name="firstEventAt">The time of its first event.</param>
    /// <param name="trackMetricNames">Whether to keep the sorted names of the metrics it reports (stores do; the bus's snapshot has its own).</param>
    public RunSummary(RunDescriptor run, DateTimeOffset firstEventAt, bool trackMetricNames = true)
    {
        Run = run;
        FirstEventAt = firstEventAt;
        LastEventAt = firstEventAt;
        MetricNames = trackMetricNames ? new SortedSet<string>(StringComparer.Ordinal) : null;
    }

    private RunSummary(RunSummary other)
    {
        Run = other.Run;
        State = other.State;
        FirstEventAt = other.FirstEventAt;
        LastEventAt = other.LastEventAt;
        EventCount = other.EventCount;
        LastSequence = other.LastSequence;
        LastOffset = other.LastOffset;
        LastStep = other.LastStep;
        LastEpoch = other.LastEpoch;
        LastBatch = other.LastBatch;
        MetricNames = other.MetricNames is null ? null : new SortedSet<string>(other.MetricNames, StringComparer.Ordinal);
    }

    public RunDescriptor Run { get; }

    public RunState State { get; set; } = RunState.Training;

    public DateTimeOffset FirstEventAt { get; set; }

    public DateTimeOffset LastEventAt { get; set; }

    public long EventCount { get; set; }

    public long LastSequence { get; set; }

    public long LastOffset { get; set; }

    public long? LastStep { get; set; }

    public int? LastEpoch { get; set; }

    public int? LastBatch { get; set; }

    /// <summary>Gets the names of the metrics the run reported, sorted ordinally, or <see langword="null"/> when not tracked.</summary>
    public SortedSet<string>? MetricNames { get; }

    public RunSummary Clone() => new(this);

    /// <summary>Applies one event; adds the metric names the run had not reported before to <paramref name="newNames"/>.</summary>
    public void Observe(TrainInsightEvent item, List<string>? newNames = null)
    {
        EventCount++;
        LastEventAt = item.Timestamp;
        LastSequence = item.Sequence;
        LastOffset = item.Offset;
        State = NextState(State, item);
        switch (item)
        {
            case MetricEvent metrics:
                LastStep = metrics.Step;
                LastEpoch = metrics.Epoch ?? LastEpoch;
                LastBatch = metrics.Batch ?? LastBatch;
                if (MetricNames is { } names)
                {
                    foreach (var name in metrics.Values.Keys)
                    {
                        if (names.Add(name))
                        {
                            newNames?.Add(name);
                        }
                    }
                }

                break;
            case TrainingEvent training:
                LastStep = training.Step ?? LastStep;
                LastEpoch = training.Epoch ?? LastEpoch;
                break;
        }
    }

    public StoredRun ToStoredRun() => new()
    {
        Run = Run,
        State = State,
        FirstEventAt = FirstEventAt,
        LastEventAt = LastEventAt,
        EventCount = EventCount,
        LastSequence = LastSequence,
        LastOffset = LastOffset,
        LastStep = LastStep,
        LastEpoch = LastEpoch,
        MetricNames = MetricNames is null ? [] : [.. MetricNames],
    };

    /// <summary>The state of a run in <paramref name="current"/> after <paramref name="item"/>.</summary>
    public static RunState NextState(RunState current, TrainInsightEvent item) => item switch
    {
        TrainingEvent { Kind: TrainingEventKind.RunLost } => RunState.Lost,
        TrainingEvent { State: { } state } => state,
        // Findings, proposals and analyses are about the run, not from its trainer: they never say the run is alive again.
        GapEvent or FindingEvent or ProposalEvent or AssistantAnalysisEvent => current,
        _ => current == RunState.Lost ? RunState.Training : current,
    };
}
