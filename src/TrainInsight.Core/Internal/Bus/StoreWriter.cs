using Microsoft.Extensions.Logging;

namespace TrainInsight.Internal;

/// <summary>
/// Writes dispatched events to the bus's <see cref="IMetricStore"/>: a subscriber like any other, with a deep queue,
/// that hands what accumulated to the store as one batch every <see cref="TrainInsightOptions.StoreFlushInterval"/>.
/// A failed batch is kept and retried with the next; the first failure of a streak is logged with its exception.
/// </summary>
internal sealed class StoreWriter
{
    private readonly IMetricStore _store;
    private readonly TrainInsightOptions _options;
    private readonly ILogger _logger;
    private readonly SubscriberQueue _queue;
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _loop;
    private long _dropped;
    private long _errors;
    private long _storedOffset;
    private bool _healthy = true;

    public StoreWriter(IMetricStore store, TrainInsightOptions options, long storedOffset, ILogger logger)
    {
        _store = store;
        _options = options;
        _logger = logger;
        _storedOffset = storedOffset;
        _queue = new SubscriberQueue(options.StoreQueueCapacity, filter: null, onDropped: null);
        _loop = Task.Run(WriteLoopAsync);
    }

    public IMetricStore Store => _store;

    /// <summary>Gets how many events never reached the store (the queue overflowed, or the last attempt failed).</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many writes failed.</summary>
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>Gets the offset of the latest event the store confirmed.</summary>
    public long StoredOffset => Interlocked.Read(ref _storedOffset);

    /// <summary>Queues a dispatched batch. Dispatcher only; never blocks.</summary>
    public void Write(ReadOnlySpan<TrainInsightEvent> items) => _queue.Write(items);

    /// <summary>Writes what is queued, without waiting for the flush interval, and stops; waits at most <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _queue.Complete();
        _stopping.TrySetResult();
        try
        {
            await _loop.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A store slower than the timeout: what it has not written by now is still written by the loop, unwaited.
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<TrainInsightEvent>();

        // A batch that failed is retried after the next interval even when nothing new arrives.
        while (batch.Count > 0 || await _queue.WaitToReadAsync().ConfigureAwait(false))
        {
            // Once stopping, a batch that failed after the last events were queued has had its last attempt.
            var lastAttempt = _stopping.Task.IsCompleted && batch.Count > 0;

            // Batch: let events accumulate for one flush interval (cut short once the bus is stopping: write what is queued now).
            if (!_stopping.Task.IsCompleted)
            {
                await Task.WhenAny(Task.Delay(_options.StoreFlushInterval), _stopping.Task).ConfigureAwait(false);
            }

            while (_queue.TryRead(out var item))
            {
                if (item is GapEvent gap)
                {
                    Interlocked.Add(ref _dropped, gap.MissedCount);
                }
                else
                {
                    batch.Add(item);
                }
            }

            await WriteAsync(batch).ConfigureAwait(false);
            if (lastAttempt)
            {
                break;
            }
        }

        if (batch.Count > 0)
        {
            // The last attempt failed too; what is left cannot be kept.
            Interlocked.Add(ref _dropped, batch.Count);
        }
    }

    private async Task WriteAsync(List<TrainInsightEvent> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await _store.AppendAsync(batch, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Exchange(ref _storedOffset, batch[^1].Offset);
            batch.Clear();
            _healthy = true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Kept and retried with the next batch; bounded by the store queue's capacity. Logged once per streak.
            Interlocked.Increment(ref _errors);
            if (_healthy)
            {
                BusLog.StoreWriteFailed(_logger, batch.Count, ex);
            }

            _healthy = false;
            if (batch.Count > _options.StoreQueueCapacity)
            {
                var excess = batch.Count - _options.StoreQueueCapacity;
                batch.RemoveRange(0, excess);
                Interlocked.Add(ref _dropped, excess);
            }
        }
    }
}
