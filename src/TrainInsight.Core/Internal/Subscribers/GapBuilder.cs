namespace TrainInsight.Internal;

/// <summary>Accumulates a run of lost events into one <see cref="GapEvent"/>.</summary>
internal sealed class GapBuilder
{
    private RunDescriptor? _run;
    private long _count;
    private long _firstOffset;
    private long _lastOffset;
    private long _firstSequence;

    public static GapEvent Range(RunDescriptor run, long firstOffset, long lastOffset, long count, long firstSequence = 0) =>
        new(run, count, firstOffset, lastOffset, firstSequence);

    /// <summary>Adds a lost event, or merges a gap that was itself dropped.</summary>
    public void Add(TrainInsightEvent lost)
    {
        if (lost is GapEvent gap)
        {
            Merge(gap.Run, gap.MissedCount, gap.FirstMissedOffset, gap.LastMissedOffset, gap.FirstMissedSequence);
        }
        else
        {
            Merge(lost.Run, 1, lost.Offset, lost.Offset, lost.Sequence);
        }
    }

    public GapEvent ToEvent() => new(_run!, _count, _firstOffset, _lastOffset, _firstSequence);

    private void Merge(RunDescriptor run, long count, long firstOffset, long lastOffset, long firstSequence)
    {
        if (_run is null)
        {
            _run = run;
            _firstOffset = firstOffset;
            _firstSequence = firstSequence;
        }

        _count += count;
        _lastOffset = lastOffset;
    }
}
