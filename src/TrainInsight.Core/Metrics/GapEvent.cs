namespace TrainInsight;

/// <summary>
/// Tells a subscriber that it did not receive some events: it fell behind and its queue dropped them, or it asked to
/// resume from a position that neither the history ring nor the store still holds.
/// </summary>
/// <remarks>
/// A gap is never published on the bus; a subscription's reader yields it in place of the events it stands for,
/// so everything before it arrived and everything after it arrives in order. Its own <see cref="TrainInsightEvent.Offset"/>
/// and <see cref="TrainInsightEvent.Sequence"/> are 0; the missed range is in <see cref="FirstMissedOffset"/> to
/// <see cref="LastMissedOffset"/>. The missed events may still be read from an <see cref="IMetricStore"/>.
/// </remarks>
public sealed class GapEvent : TrainInsightEvent
{
    /// <summary>Initializes a new instance of the <see cref="GapEvent"/> class.</summary>
    /// <param name="run">The run of the first missed event, or, when that is unknown, the subscribed run or the latest one.</param>
    /// <param name="missedCount">How many events were missed; at least 1.</param>
    /// <param name="firstMissedOffset">The offset of the first missed event; at least 1.</param>
    /// <param name="lastMissedOffset">The offset of the last missed event; at least <paramref name="firstMissedOffset"/>.</param>
    /// <param name="firstMissedSequence">The sequence of the first missed event within its run, or 0 when unknown.</param>
    /// <param name="timestamp">When the gap was noticed. The default is now.</param>
    public GapEvent(RunDescriptor run, long missedCount, long firstMissedOffset, long lastMissedOffset, long firstMissedSequence, DateTimeOffset? timestamp = null)
        : base(run, timestamp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(missedCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstMissedOffset, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(lastMissedOffset, firstMissedOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(firstMissedSequence);
        MissedCount = missedCount;
        FirstMissedOffset = firstMissedOffset;
        LastMissedOffset = lastMissedOffset;
        FirstMissedSequence = firstMissedSequence;
    }

    /// <summary>Gets how many events the subscriber missed.</summary>
    /// <remarks>
    /// Exact when the subscriber's queue dropped them (only events its filters let through are counted). For a resume
    /// from further back than anything held, the run's sequences give the exact count where they can; otherwise it is the
    /// number of bus offsets in the range, of which a subscriber filtered by run or metric names would have received only some.
    /// </remarks>
    public long MissedCount { get; }

    /// <summary>Gets the offset of the first missed event.</summary>
    public long FirstMissedOffset { get; }

    /// <summary>Gets the offset of the last missed event.</summary>
    public long LastMissedOffset { get; }

    /// <summary>Gets the sequence of the first missed event within the run of <see cref="TrainInsightEvent.Run"/>, or 0 when unknown.</summary>
    public long FirstMissedSequence { get; }
}
