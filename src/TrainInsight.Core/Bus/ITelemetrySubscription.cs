using System.Threading.Channels;

namespace TrainInsight;

/// <summary>One subscriber's bounded queue of events. Dispose it to unsubscribe.</summary>
public interface ITelemetrySubscription : IDisposable
{
    /// <summary>
    /// Gets the reader of this subscriber's events, in offset order, with a <see cref="GapEvent"/> wherever events are
    /// missing. It completes when the bus or the subscription is disposed. Like a channel created with
    /// <c>SingleReader = true</c>, it supports one reader at a time: do not read it from two threads at once.
    /// </summary>
    ChannelReader<TrainInsightEvent> Reader { get; }

    /// <summary>Gets how many events this subscriber lost because it fell behind (each loss is also reported by a <see cref="GapEvent"/>).</summary>
    long DroppedCount { get; }
}
