namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// What the store knows about one run, kept in memory for every stored run and written to the runs table with each
/// batch: the same rules as <see cref="InMemoryMetricStore"/>'s summaries. Not thread-safe; the store clones a summary
/// before changing it, so readers holding the old instance never see a half-applied batch.
/// </summary>
internal sealed class RunSummary
{
    public RunSummary(long key, RunDescriptor run, DateTimeOffset firstEventAt)
    {
        Key = key;
        Run = run;
        FirstEventAt = firstEventAt;
        LastEventAt = firstEventAt;
    }

    private RunSummary(RunSummary other)
    {
        Key = other.Key;
        Run = other.Run;
        State = other.State;
        FirstEventAt = other.FirstEventAt;
        LastEventAt = other.LastEventAt;
        EventCount = other.EventCount;
        LastSequence = other.LastSequence;
        LastOffset = other.LastOffset;
        LastStep = other.LastStep;
        LastEpoch = other.LastEpoch;
        MetricNames = new SortedSet<string>(other.MetricNames, StringComparer.Ordinal);
    }

    /// <summary>Gets the run's integer key in the database (<c>runs.run_key</c>).</summary>
    public long Key { get; }

    public RunDescriptor Run { get; }

    public RunState State { get; set; } = RunState.Training;

    public DateTimeOffset FirstEventAt { get; set; }

    public DateTimeOffset LastEventAt { get; set; }

    public long EventCount { get; set; }

    public long LastSequence { get; set; }

    public long LastOffset { get; set; }

    public long? LastStep { get; set; }

    public int? LastEpoch { get; set; }

    public SortedSet<string> MetricNames { get; } = new(StringComparer.Ordinal);

    public RunSummary Clone() => new(this);

    /// <summary>Applies one event; adds the metric names the run had not reported before to <paramref name="newNames"/>.</summary>
    public void Observe(TrainInsightEvent item, List<string>? newNames)
    {
        EventCount++;
        LastEventAt = item.Timestamp;
        LastSequence = item.Sequence;
        LastOffset = item.Offset;
        switch (item)
        {
            case MetricEvent metrics:
                LastStep = metrics.Step;
                LastEpoch = metrics.Epoch ?? LastEpoch;
                foreach (var name in metrics.Values.Keys)
                {
                    if (MetricNames.Add(name))
                    {
                        newNames?.Add(name);
                    }
                }

                break;
            case TrainingEvent training:
                State = training.State ?? State;
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
        MetricNames = [.. MetricNames],
    };
}
