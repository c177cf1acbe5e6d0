using System.Diagnostics;
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
/// than the history ring first reads the missing range from the store (asynchronously, in pages), then the queue.
/// </remarks>
internal sealed class SubscriberQueue : ChannelReader<TrainInsightEvent>
{
    private const int StorePageSize = 512;

    private readonly Lock _lock = new();
    private readonly string? _runId;
    private readonly HashSet<string>? _metricNames;
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

    // The range (_storeAfter, _storeUntil] still to read from the store before the queue, when _store is set.
    private IMetricStore? _store;
    private Func<long>? _storedOffset;
    private Task? _storeRead;
    private long _storeAfter;
    private long _storeUntil;
    private long _storeLastSequence;
    private long _storeExpectedSequence;
    private RunDescriptor? _storeRun;

    public SubscriberQueue(int capacity, string? runId, IReadOnlyCollection<string>? metricNames, Action<long>? onDropped, bool synchronousContinuations = false)
    {
        _waiterOptions = synchronousContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously;
        _ring = new TrainInsightEvent[capacity];
        _local = [];
        _runId = runId;
        _metricNames = metricNames is { Count: > 0 } ? new HashSet<string>(metricNames, StringComparer.Ordinal) : null;
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

    /// <summary>Before reading the queue, reads the events in (<paramref name="afterOffset"/>, <paramref name="untilOffset"/>] from <paramref name="store"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="afterOffset">The offset after which to read.</param>
    /// <param name="untilOffset">The last offset to read.</param>
    /// <param name="run">The run a gap names when no event read says better: the subscribed run, or the latest one.</param>
    /// <param name="lastSequence">
    /// With a run filter, the sequence of that run's last event at or before <paramref name="untilOffset"/> (0 when unknown),
    /// so that the store missing the run's latest events is reported too.
    /// </param>
    /// <param name="storedOffset">Reads the latest offset the store confirmed, so the replay can wait for a lagging writer.</param>
    public void ReplayFromStoreFirst(IMetricStore store, long afterOffset, long untilOffset, RunDescriptor? run = null, long lastSequence = 0, Func<long>? storedOffset = null)
    {
        _storedOffset = storedOffset;
        _store = store;
        _storeAfter = afterOffset;
        _storeUntil = untilOffset;
        _storeRun = run;
        _storeExpectedSequence = lastSequence;
    }

    public bool Accepts(TrainInsightEvent item)
    {
        // A gap the bus wrote already is about this subscriber's events.
        if (item is GapEvent)
        {
            return true;
        }

        if (_runId is not null && !string.Equals(item.RunId, _runId, StringComparison.Ordinal))
        {
            return false;
        }

        if (_metricNames is null || item is not MetricEvent metrics)
        {
            return true;
        }

        try
        {
            return CarriesMetric(metrics);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A publisher changed the values after publishing (or they throw): deliver the event rather than let one
            // broken event stop the dispatcher; only its own encoding can then fail.
            return true;
        }
    }

    private bool CarriesMetric(MetricEvent metrics)
    {
        var names = _metricNames!;
        if (metrics.Values is Dictionary<string, double> dictionary)
        {
            foreach (var name in dictionary.Keys)
            {
                if (names.Contains(name))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var name in metrics.Values.Keys)
        {
            if (names.Contains(name))
            {
                return true;
            }
        }

        return false;
    }

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
            drained = _count == 0 && _headGap is null && !_localPending && _store is null;
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
            if (_store is not null || !TakeQueued())
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

            if (_store is not null)
            {
                // The page read is not cancelled by this wait's token (an SSE heartbeat cancels waits): a cancelled wait
                // leaves it running and the next wait picks it up, so a slow store is never restarted over and over.
                _storeRead ??= ReadStorePageAsync(CancellationToken.None);
                await _storeRead.WaitAsync(cancellationToken).ConfigureAwait(false);
                _storeRead = null;
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
            if (_completed && _count == 0 && _headGap is null && _store is null)
            {
                _completion.TrySetResult();
            }
        }
    }

    private async Task ReadStorePageAsync(CancellationToken cancellationToken)
    {
        var store = _store!;
        if (_storedOffset is { } storedOffset)
        {
            // The store writer may still be writing the range (it flushes every StoreFlushInterval): wait for it a little,
            // so that events merely in flight are not reported as a gap.
            _storedOffset = null;
            var deadline = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
            while (storedOffset() < _storeUntil && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }

        IReadOnlyList<TrainInsightEvent> page;
        var failed = false;
        try
        {
            page = await store.ReadEventsAsync(_storeAfter, StorePageSize, _runId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            page = [];
            failed = true;
        }

        var buffer = new List<TrainInsightEvent>(page.Count + 2);
        GapEvent? gap = null;
        if (_runId is not null && _storeLastSequence == 0 && !failed)
        {
            // First page of a run-filtered replay: the run's sequences cannot show a hole before its first stored event,
            // but the store's offsets can: when it holds nothing right after the resume position, retention removed
            // that range for every run. At most the range's size, and at most as many as the run's earlier sequences.
            if (await LeadingStoreLossAsync(store, page, cancellationToken).ConfigureAwait(false) is { } leading)
            {
                buffer.Add(leading);
            }
        }

        foreach (var item in page)
        {
            if (item.Offset > _storeUntil)
            {
                break;
            }

            // Holes: offsets are contiguous across runs; within one run, sequences are.
            if (_runId is null && item.Offset > _storeAfter + 1)
            {
                buffer.Add(GapBuilder.Range(item.Run, _storeAfter + 1, item.Offset - 1, item.Offset - _storeAfter - 1));
            }
            else if (_runId is not null && _storeLastSequence > 0 && item.Sequence > _storeLastSequence + 1)
            {
                buffer.Add(GapBuilder.Range(item.Run, _storeAfter + 1, item.Offset - 1, item.Sequence - _storeLastSequence - 1, _storeLastSequence + 1));
            }

            _storeAfter = item.Offset;
            _storeLastSequence = item.Sequence;
            if (Accepts(item))
            {
                buffer.Add(item);
            }
        }

        var exhausted = page.Count < StorePageSize || _storeAfter >= _storeUntil || (page.Count > 0 && page[^1].Offset > _storeUntil);
        if (exhausted)
        {
            var run = buffer.Count > 0 ? buffer[^1].Run : page.Count > 0 ? page[0].Run : _storeRun ?? s_unknownRun;
            if (_runId is null && _storeAfter < _storeUntil)
            {
                // Neither the store nor the ring holds these any more (retention, or the store lagged behind the ring).
                gap = GapBuilder.Range(run, _storeAfter + 1, _storeUntil, _storeUntil - _storeAfter);
            }
            else if (_runId is not null && _storeAfter < _storeUntil && _storeLastSequence > 0 && _storeExpectedSequence > _storeLastSequence)
            {
                // The run's latest events before the ring are missing: their sequences tell how many.
                gap = GapBuilder.Range(run, _storeAfter + 1, _storeUntil, _storeExpectedSequence - _storeLastSequence, _storeLastSequence + 1);
            }
            else if (_runId is not null && failed && _storeAfter < _storeUntil)
            {
                // The store failed before anything of the run was read: how many of these offsets were the run's is unknown.
                gap = GapBuilder.Range(run, _storeAfter + 1, _storeUntil, _storeUntil - _storeAfter, _storeLastSequence > 0 ? _storeLastSequence + 1 : 0);
            }
        }

        if (gap is not null)
        {
            buffer.Add(gap);
        }

        _local = buffer.Count > _local.Length ? new TrainInsightEvent[Math.Max(buffer.Count, _ring.Length)] : _local;
        buffer.CopyTo(_local);
        _localPosition = 0;
        _localCount = buffer.Count;
        lock (_lock)
        {
            _localPending = buffer.Count > 0;
            if (exhausted)
            {
                _store = null;
            }
        }
    }

    private async Task<GapEvent?> LeadingStoreLossAsync(IMetricStore store, IReadOnlyList<TrainInsightEvent> page, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrainInsightEvent> oldest;
        try
        {
            oldest = await store.ReadEventsAsync(_storeAfter, 1, runId: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }

        var heldFrom = oldest.Count > 0 ? oldest[0].Offset : _storeUntil + 1;
        if (heldFrom <= _storeAfter + 1)
        {
            return null;
        }

        var lostUntil = Math.Min(heldFrom - 1, _storeUntil);
        var missed = lostUntil - _storeAfter;
        var firstOfRun = page.Count > 0 && page[0].Offset <= _storeUntil ? page[0] : null;
        if (firstOfRun is not null)
        {
            if (firstOfRun.Sequence <= 1)
            {
                return null; // The run started after the lost range.
            }

            missed = Math.Min(missed, firstOfRun.Sequence - 1);
        }

        return GapBuilder.Range(firstOfRun?.Run ?? _storeRun ?? s_unknownRun, _storeAfter + 1, lostUntil, missed);
    }

    private static readonly RunDescriptor s_unknownRun = new("unknown");

    /// <summary>Accumulates a run of lost events.</summary>
    private sealed class GapBuilder
    {
        private RunDescriptor? _run;
        private long _count;
        private long _firstOffset;
        private long _lastOffset;
        private long _firstSequence;

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

        public static GapEvent Range(RunDescriptor run, long firstOffset, long lastOffset, long count, long firstSequence = 0) =>
            new(run, count, firstOffset, lastOffset, firstSequence);

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
}
