using System.Threading.Channels;

namespace TrainInsight;

/// <summary>One subscriber's bounded queue of events. Dispose it to unsubscribe.</summary>
public interface ITelemetrySubscription : IDisposable
{
    /// <summary>Gets the reader of this subscriber's events, in offset order. It completes when the bus or the subscription is disposed.</summary>
    ChannelReader<TrainInsightEvent> Reader { get; }

    /// <summary>Gets how many events this subscriber lost because it fell behind.</summary>
    long DroppedCount { get; }
}
