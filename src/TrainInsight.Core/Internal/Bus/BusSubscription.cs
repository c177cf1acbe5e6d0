using System.Threading.Channels;

namespace TrainInsight.Internal;

/// <summary>One subscriber of the bus: its queue, and the way back to unsubscribe.</summary>
internal sealed class BusSubscription(SubscriberQueue queue, Action<BusSubscription> unsubscribe) : ITelemetrySubscription
{
    private int _disposed;

    public SubscriberQueue Queue => queue;

    public ChannelReader<TrainInsightEvent> Reader => queue;

    public long DroppedCount => queue.DroppedCount;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            unsubscribe(this);
            queue.Complete();
        }
    }
}
