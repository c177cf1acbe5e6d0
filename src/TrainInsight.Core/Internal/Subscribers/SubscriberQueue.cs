using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;

namespace TrainInsight.Internal;

/// <summary>
/// One subscriber's bounded queue, read by one reader at a time. When full it drops its oldest event and remembers the
/// loss at exactly that place, so the reader receives a <see cref="GapEvent"/> where the missing events would have been.
/// </summary>
/// <remarks>
/// The dispatcher writes a whole batch under one lock acquisition; the reader moves everything queued into its own
/// buffer under one lock acquisition and then reads without locking. A subscription that resumes from an offset older
/// than the history ring first reads the missing range from the store (asynchronously, in pages, through its
/// <see cref="StoreReplay"/>), then the queue.
/// </remarks>
internal sealed class SubscriberQueue : ChannelReader<TrainInsightEvent>
{
    private readonly Lock _lock = new();
    private readonly EventFilter? _filter;
    private readonly Action<long>? _onDropped;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Written under _lock by the dispatcher, taken under _lock by the reader.
    private readonly TrainInsightEvent[] _ring;
    private int _head;
    private int _count;
    private GapBuilder? _headGap;
    private TaskCompletionSource<bool>? _waiter;
    private readonly TaskCreationOptions _waiterOptions;
    private bool _completed;
    private bool _localPending;
    private long _dropped;

    // The reader's own buffer: no lock needed, one reader at a time.
    private TrainInsightEvent[] _local;
    private int _localPosition;
    private int _localCount;
    private GapBuilder? _localGap;

    // What is still to read from the store before the queue, when set: the replay of a subscription older than the ring.
    private StoreReplay? _replay;
    private Task<(List<TrainInsightEvent> Events, bool Exhausted)>? _replayRead;

    public SubscriberQueue(int capacity, EventFilter? filter, Action<long>? onDropped, bool synchronousContinuations = false)
    {
        _waiterOptions = synchronousContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously;
        _ring = new TrainInsightEvent[capacity];
        _local = [];
        _filter = filter;
        _onDropped = onDropped;
    }

    public override bool CanCount => true;

    public override int Count
    {
        get
        {
            lock (_lock)
            {
                return _count + (_localCount - _localPosition);
            }
        }
    }

    public override Task Completion => _completion.Task;

    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Before reading the queue, reads what <paramref name="replay"/> covers. Call before the first write.</summary>
    public void ReplayFromStoreFirst(StoreReplay replay) => _replay = replay;

    public bool Accepts(TrainInsightEvent item) => _filter is null || _filter.Accepts(item);

    /// <summary>Queues the events this subscriber accepts. Called by the dispatcher only; never blocks on the reader.</summary>
    public void Write(ReadOnlySpan<TrainInsightEvent> items) => Write(items, deferredWakeUps: null);

    /// <summary>
    /// Queues the events this subscriber accepts; a waiting reader is woken at once, or, when
    /// <paramref name="deferredWakeUps"/> is given, added to it for the caller to wake after releasing its own locks
    /// (a reader that allows synchronous continuations then runs on the caller's thread).
    /// </summary>
    public void Write(ReadOnlySpan<TrainInsightEvent> items, List<TaskCompletionSource<bool>>? deferredWakeUps)
    {
        TaskCompletionSource<bool>? waiter = null;
        long dropped = 0;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            foreach (var item in items)
            {
                if (!Accepts(item))
                {
                    continue;
                }

                if (_count == _ring.Length)
                {
                    // Drop the oldest; the gap sits right before the new head, which is exactly where it was lost.
                    var lost = _ring[_head];
                    (_headGap ??= new GapBuilder()).Add(lost);
                    _ring[_head] = null!;
                    _head = _head + 1 == _ring.Length ? 0 : _head + 1;
                    _count--;
                    if (lost is not GapEvent)
                    {
                        // A gap is no event: what it stands for was not lost by falling behind.
                        dropped++;
                    }
                }

                // Wrapped by comparison, not '%': this runs once per event per subscriber.
                var index = _head + _count;
                _ring[index >= _ring.Length ? index - _ring.Length : index] = item;
                _count++;
            }

            if (_count > 0 && _waiter is not null)
            {
                waiter = _waiter;
                _waiter = null;
            }
        }

        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
            _onDropped?.Invoke(dropped);
        }

        if (waiter is not null)
        {
            if (deferredWakeUps is not null)
            {
                deferredWakeUps.Add(waiter);
            }
            else
            {
                waiter.TrySetResult(true);
            }
        }
    }

    public void Complete()
    {
        TaskCompletionSource<bool>? waiter;
        bool drained;
        lock (_lock)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            waiter = _waiter;
            _waiter = null;
            drained = _count == 0 && _headGap is null && !_localPending && _replay is null;
        }

        waiter?.TrySetResult(false);

        // Like a channel's: complete once no more data will ever be available. Otherwise the reader completes it.
        if (drained)
        {
            _completion.TrySetResult();
        }
    }

    public override bool TryRead([MaybeNullWhen(false)] out TrainInsightEvent item)
    {
        while (true)
        {
            if (_localGap is { } gap)
            {
                _localGap = null;
                item = gap.ToEvent();
                if (_localPosition >= _localCount)
                {
                    OnLocalExhausted();
                }

                return true;
            }

            if (_localPosition < _localCount)
            {
                item = _local[_localPosition];
                _local[_localPosition++] = null!;
                if (_localPosition == _localCount)
                {
                    OnLocalExhausted();
                }

                return true;
            }

            // Until the store range is read, the queue's events must wait: WaitToReadAsync reads the store.
            if (_replay is not null || !TakeQueued())
            {
                item = null;
                return false;
            }
        }
    }

    public override async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_localGap is not null || _localPosition < _localCount)
            {
                return true;
            }

            if (_replay is { } replay)
            {
                // The page read is not cancelled by this wait's token (an SSE heartbeat cancels waits): a cancelled wait
                // leaves it running and the next wait picks it up, so a slow store is never restarted over and over.
                _replayRead ??= replay.ReadPageAsync(_filter, CancellationToken.None);
                var (events, exhausted) = await _replayRead.WaitAsync(cancellationToken).ConfigureAwait(false);
                _replayRead = null;
                TakeReplayed(events, exhausted);
                continue;
            }

            TaskCompletionSource<bool> waiter;
            lock (_lock)
            {
                if (_count > 0 || _headGap is not null)
                {
                    return true;
                }

                if (_completed)
                {
                    _localPending = false;
                    _completion.TrySetResult();
                    return false;
                }

                waiter = _waiter ??= new TaskCompletionSource<bool>(_waiterOptions);
            }

            if (!cancellationToken.CanBeCanceled)
            {
                await waiter.Task.ConfigureAwait(false);
                continue;
            }

            // Cancellation cancels this reader's own waiter (one reader at a time), which is then forgotten; a plain
            // await keeps a writer's wake-up synchronous when the reader allows that (Task.WaitAsync would not).
            using (cancellationToken.UnsafeRegister(static (state, token) => ((TaskCompletionSource<bool>)state!).TrySetCanceled(token), waiter))
            {
                try
                {
                    await waiter.Task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    lock (_lock)
                    {
                        if (ReferenceEquals(_waiter, waiter))
                        {
                            _waiter = null;
                        }
                    }

                    throw;
                }
            }
        }
    }

    /// <summary>Moves everything queued into the reader's buffer. Reader only.</summary>
    private bool TakeQueued()
    {
        lock (_lock)
        {
            if (_count == 0 && _headGap is null)
            {
                _localPending = false;
                if (_completed)
                {
                    _completion.TrySetResult();
                }

                return false;
            }

            if (_local.Length < _count)
            {
                _local = new TrainInsightEvent[_ring.Length];
            }

            var first = Math.Min(_count, _ring.Length - _head);
            Array.Copy(_ring, _head, _local, 0, first);
            Array.Clear(_ring, _head, first);
            if (first < _count)
            {
                Array.Copy(_ring, 0, _local, first, _count - first);
                Array.Clear(_ring, 0, _count - first);
            }

            _localPosition = 0;
            _localCount = _count;
            _localGap = _headGap;
            _head = 0;
            _count = 0;
            _headGap = null;
            _localPending = true;
            return true;
        }
    }

    /// <summary>The reader has read its whole buffer. Reader only.</summary>
    private void OnLocalExhausted()
    {
        lock (_lock)
        {
            _localPending = false;
            if (_completed && _count == 0 && _headGap is null && _replay is null)
            {
                _completion.TrySetResult();
            }
        }
    }

    /// <summary>Moves a page the store replay read into the reader's buffer. Reader only.</summary>
    private void TakeReplayed(List<TrainInsightEvent> events, bool exhausted)
    {
        _local = events.Count > _local.Length ? new TrainInsightEvent[Math.Max(events.Count, _ring.Length)] : _local;
        events.CopyTo(_local);
        _localPosition = 0;
        _localCount = events.Count;
        lock (_lock)
        {
            _localPending = events.Count > 0;
            if (exhausted)
            {
                _replay = null;
            }
        }
    }
}
