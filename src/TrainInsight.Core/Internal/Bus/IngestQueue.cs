using System.Runtime.CompilerServices;

namespace TrainInsight.Internal;

/// <summary>
/// The bus's bounded multi-producer, single-consumer ingest queue. A producer never waits: when the queue is full the
/// oldest event is dropped (and counted). The consumer takes everything queued at once.
/// </summary>
internal sealed class IngestQueue(int capacity) : IDisposable
{
    /// <summary>The most events the consumer takes at once.</summary>
    public const int MaxBatch = 1024;

    private readonly Lock _lock = new();
    private readonly TrainInsightEvent[] _ring = new TrainInsightEvent[capacity];
    private readonly SemaphoreSlim _signal = new(0);
    private int _head;
    private int _count;
    private bool _consumerWaiting;
    private bool _completed;
    private long _dropped;
    private long _written;

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many events were accepted (including those dropped later).</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Queues an event; <see langword="false"/> once completed. Never waits.</summary>
    public bool TryWrite(TrainInsightEvent item)
    {
        bool wake;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            // Wrapped by comparison, not '%': this runs on the trainer's thread for every event.
            if (_count == _ring.Length)
            {
                _ring[_head] = item;
                _head = _head + 1 == _ring.Length ? 0 : _head + 1;
                _dropped++;
            }
            else
            {
                var index = _head + _count;
                _ring[index >= _ring.Length ? index - _ring.Length : index] = item;
                _count++;
            }

            _written++;

            wake = _consumerWaiting;
            _consumerWaiting = false;
        }

        if (wake)
        {
            // SemaphoreSlim completes async waiters asynchronously: the dispatcher never runs on the producer's thread.
            try
            {
                _signal.Release();
            }
            catch (ObjectDisposedException)
            {
                // The bus was disposed after this event was queued; TryPublish must not throw.
            }
        }

        return true;
    }

    public void Dispose() => _signal.Dispose();

    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
        }

        _signal.Release();
    }

    /// <summary>Moves everything queued into <paramref name="buffer"/> (grown as needed); waits while empty. Returns 0 once completed and drained.</summary>
    public async ValueTask<int> TakeAllAsync(StrongBox<TrainInsightEvent[]> buffer)
    {
        while (true)
        {
            lock (_lock)
            {
                if (_count > 0)
                {
                    // At most MaxBatch per lock acquisition: a publisher never waits for more than a short copy, however
                    // far behind the dispatcher is.
                    var taken = Math.Min(_count, MaxBatch);
                    if (buffer.Value!.Length < taken)
                    {
                        buffer.Value = new TrainInsightEvent[MaxBatch];
                    }

                    var first = Math.Min(taken, _ring.Length - _head);
                    Array.Copy(_ring, _head, buffer.Value, 0, first);
                    Array.Clear(_ring, _head, first);
                    if (first < taken)
                    {
                        Array.Copy(_ring, 0, buffer.Value, first, taken - first);
                        Array.Clear(_ring, 0, taken - first);
                    }

                    _head = (_head + taken) % _ring.Length;
                    _count -= taken;
                    return taken;
                }

                if (_completed)
                {
                    return 0;
                }

                _consumerWaiting = true;
            }

            await _signal.WaitAsync().ConfigureAwait(false);
        }
    }
}
