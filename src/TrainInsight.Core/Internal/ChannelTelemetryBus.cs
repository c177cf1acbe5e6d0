using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrainInsight.Internal;

/// <summary>
/// The default bus: one bounded ingest queue, one dispatcher task, one bounded queue per subscriber, and an optional
/// store written in batches by its own task.
/// </summary>
internal sealed class ChannelTelemetryBus : ITelemetryBus
{
    private readonly TrainInsightOptions _options;
    private readonly IMetricStore? _store;
    private readonly ILogger _logger;
    private readonly IngestQueue _ingest;
    private readonly Task _dispatcher;
    private readonly MeterMirror _meter;

    // Guards the ring, the run trackers and the subscriber list, so that subscribing with replay is atomic
    // with respect to dispatching: a resuming subscriber gets no duplicate and no hole.
    private readonly Lock _gate = new();
    private readonly HistoryRing _ring;
    private readonly Dictionary<string, RunTracker> _runs = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, long> _recoveredSequences;
    private Subscription[] _subscribers = [];
    private RunTracker? _latestRun;
    private RunTracker[] _batchRuns = new RunTracker[256];
    private readonly List<TaskCompletionSource<bool>> _wakeUps = [];
    private long _lastOffset;

    // The store writer: a subscriber like any other, with a deep queue, flushing every StoreFlushInterval.
    private readonly SubscriberQueue? _storeQueue;
    private readonly Task? _storeWriter;
    private readonly CancellationTokenSource _stopping = new();
    private long _droppedAtStore;
    private long _storeErrors;
    private bool _storeHealthy = true;
    private long _storedOffset;

    private long _rejected;
    private long _dispatched;
    private long _droppedAtSubscribers;
    private long _snapshotErrors;
    private int _disposed;

    public ChannelTelemetryBus(TrainInsightOptions options, IMetricStore? store = null, ILogger? logger = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _ring = new HistoryRing(options.HistoryCapacity);
        _ingest = new IngestQueue(options.IngestCapacity);

        // Continue offsets and sequences where the store left off, so resume positions stay valid across restarts.
        var state = StoreState.Empty;
        if (store is not null)
        {
            try
            {
                state = store.LoadState();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Without its state the bus would number events again from 1, colliding with what the store holds:
                // run without the store rather than corrupt it.
                _storeErrors++;
                BusLog.StoreStateUnreadable(_logger, ex);
                store = null;
            }
        }

        _store = store;

        _lastOffset = state.LastOffset;
        _storedOffset = state.LastOffset;
        _recoveredSequences = state.LastSequences;
        _meter = new MeterMirror(ObserveMetric, GetStatistics);
        if (store is not null)
        {
            _storeQueue = new SubscriberQueue(options.StoreQueueCapacity, runId: null, metricNames: null, onDropped: null);
            _storeWriter = Task.Run(StoreWriteLoopAsync);
        }

        _dispatcher = Task.Run(DispatchLoopAsync);
    }

    public bool TryPublish(TrainInsightEvent telemetryEvent)
    {
        if (telemetryEvent is null or GapEvent || Interlocked.Exchange(ref telemetryEvent.PublishedFlag, 1) != 0)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        // Bounded, dropping the oldest: TryWrite never waits; it fails only once the bus is disposed.
        if (_ingest.TryWrite(telemetryEvent))
        {
            return true;
        }

        Interlocked.Increment(ref _rejected);
        return false;
    }

    public ITelemetrySubscription Subscribe(SubscriptionOptions? options = null)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        options ??= new SubscriptionOptions();
        var capacity = options.Capacity ?? _options.SubscriberCapacity;
        lock (_gate)
        {
            // Checked again under the gate: Dispose completes the subscribers it finds under the gate, so one added
            // after that would never complete.
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            List<TrainInsightEvent>? replay = null;
            long? olderThanRing = null;
            if (options.AfterOffset is { } after)
            {
                replay = _ring.CopyAfter(after, options.RunId);
                var ringStart = _ring.Count == 0 ? _lastOffset + 1 : _ring.OldestOffset;
                if (after + 1 < ringStart)
                {
                    olderThanRing = ringStart - 1;
                }
            }

            var queueCapacity = (int)Math.Min((long)capacity + (replay?.Count ?? 0) + (olderThanRing is null ? 0 : 1), Array.MaxLength);
            var subscription = new Subscription(this, new SubscriberQueue(queueCapacity, options.RunId, options.MetricNames, OnSubscriberDropped, options.AllowSynchronousContinuations));
            if (olderThanRing is { } until)
            {
                // A gap names the subscribed run when there is one, so that a run's subscriber hears only of that run.
                var tracker = options.RunId is null ? null : _runs.GetValueOrDefault(options.RunId);
                if (_store is not null)
                {
                    // The ring holds the run's latest events, so its last sequence at or before `until` is known.
                    var lastSequence = options.RunId is null ? 0
                        : tracker is not null ? tracker.LastSequence - replay!.Count
                        : _recoveredSequences.GetValueOrDefault(options.RunId);
                    subscription.Queue.ReplayFromStoreFirst(_store, options.AfterOffset!.Value, until, tracker?.Run ?? _latestRun?.Run, lastSequence, () => Interlocked.Read(ref _storedOffset));
                }
                else
                {
                    // Nothing holds those events any more: say so, in their place.
                    var run = replay is { Count: > 0 } ? replay[0].Run : tracker?.Run ?? _latestRun?.Run ?? new RunDescriptor(options.RunId ?? "unknown");
                    var from = options.AfterOffset!.Value + 1;
                    subscription.Queue.Write([new GapEvent(run, until - from + 1, from, until, 0)]);
                }
            }

            if (replay is { Count: > 0 })
            {
                subscription.Queue.Write(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(replay));
            }

            _subscribers = [.. _subscribers, subscription];
            return subscription;
        }
    }

    public IReadOnlyList<TrainInsightEvent> GetHistory(long afterOffset = 0)
    {
        lock (_gate)
        {
            return _ring.CopyAfter(afterOffset, runId: null);
        }
    }

    public MetricsSnapshot? GetCurrent(string? runId = null)
    {
        lock (_gate)
        {
            var tracker = runId is null ? _latestRun : _runs.GetValueOrDefault(runId);
            return tracker?.ToSnapshot();
        }
    }

    public BusStatistics GetStatistics()
    {
        lock (_gate)
        {
            return new BusStatistics
            {
                Published = _ingest.Written,
                Rejected = Interlocked.Read(ref _rejected),
                DroppedAtIngest = _ingest.Dropped,
                Dispatched = _dispatched,
                DroppedAtSubscribers = Interlocked.Read(ref _droppedAtSubscribers),
                DroppedAtStore = Interlocked.Read(ref _droppedAtStore),
                StoreErrors = Interlocked.Read(ref _storeErrors),
                StoredOffset = Interlocked.Read(ref _storedOffset),
                SnapshotErrors = _snapshotErrors,
                Subscribers = _subscribers.Length,
                LastOffset = _lastOffset,
            };
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _ingest.Complete();

        // Let the dispatcher drain what was published before disposal; it never blocks on subscribers.
        try
        {
            _dispatcher.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The dispatcher guards every event; should it still have faulted, disposal must not throw.
        }

        Subscription[] subscribers;
        lock (_gate)
        {
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Queue.Complete();
        }

        // Flush the store: the writer skips its wait once stopping, writes what is queued, and ends.
        if (_storeWriter is not null)
        {
            _storeQueue!.Complete();
            _stopping.Cancel();
            try
            {
                _storeWriter.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Counted in StoreErrors by the writer.
            }
        }

        _meter.Dispose();
        _ingest.Dispose();
        _stopping.Dispose();
    }

    private async Task DispatchLoopAsync()
    {
        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[256]);
        int count;
        while ((count = await _ingest.TakeAllAsync(buffer).ConfigureAwait(false)) > 0)
        {
            var items = buffer.Value!;
            try
            {
                Dispatch(items.AsSpan(0, count));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Dispatch guards what publishers control; should anything else throw, the bus must keep running.
                BusLog.DispatchFailed(_logger, count, ex);
            }

            Array.Clear(items, 0, count);
        }
    }

    private void Dispatch(Span<TrainInsightEvent> items)
    {
        try
        {
            DispatchUnderGate(items);
        }
        finally
        {
            // Even after a failure: a reader whose waiter was handed over must not wait forever.
            WakeUpReaders();
        }

        _meter.PublishNewInstruments();
    }

    private void DispatchUnderGate(Span<TrainInsightEvent> items)
    {
        lock (_gate)
        {
            var run = _latestRun;
            if (_batchRuns.Length < items.Length)
            {
                _batchRuns = new RunTracker[Math.Max(items.Length, 2 * _batchRuns.Length)];
            }

            var batchRuns = _batchRuns;
            for (var i = 0; i < items.Length; i++)
            {
                var item = items[i];
                if (run is null || !ReferenceEquals(item.RunId, run.Run.Id) && !string.Equals(item.RunId, run.Run.Id, StringComparison.Ordinal))
                {
                    run = GetOrAddRun(item);
                }

                item.OffsetValue = ++_lastOffset;
                item.SequenceValue = ++run.LastSequence;
                _ring.Add(item);
                batchRuns[i] = run;
            }

            _latestRun = run;

            _dispatched += items.Length;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Queue.Write(items, _wakeUps);
            }

            _storeQueue?.Write(items);

            // Last, and guarded: a publisher that broke the contract (changed a dictionary after publishing) must
            // cost its own snapshot values, never the dispatcher, the ring's contiguous offsets or other subscribers.
            for (var i = 0; i < items.Length; i++)
            {
                try
                {
                    batchRuns[i].Observe(items[i], _meter);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _snapshotErrors++;
                }
            }

            Array.Clear(batchRuns, 0, items.Length);
        }
    }

    /// <summary>
    /// Wakes readers outside the gate: one that allows synchronous continuations (a streaming endpoint) then writes its
    /// client's response right here, one after another, instead of through a thread-pool hop per client and event.
    /// </summary>
    private void WakeUpReaders()
    {
        foreach (var waiter in _wakeUps)
        {
            waiter.TrySetResult(true);
        }

        _wakeUps.Clear();
    }

    private RunTracker GetOrAddRun(TrainInsightEvent item)
    {
        if (!_runs.TryGetValue(item.RunId, out var run))
        {
            run = new RunTracker(item.Run) { LastSequence = _recoveredSequences.GetValueOrDefault(item.RunId) };
            _runs.Add(item.RunId, run);
        }

        return run;
    }

    private List<Measurement<double>> ObserveMetric(string name)
    {
        lock (_gate)
        {
            var result = new List<Measurement<double>>();
            foreach (var run in _runs.Values)
            {
                if (run.TryGetValue(name, out var value))
                {
                    result.Add(new Measurement<double>(value, new KeyValuePair<string, object?>("run_id", run.Run.Id)));
                }
            }

            return result;
        }
    }

    private async Task StoreWriteLoopAsync()
    {
        var queue = _storeQueue!;
        var batch = new List<TrainInsightEvent>();

        // A batch that failed is retried after the next interval even when nothing new arrives.
        while (batch.Count > 0 || await queue.WaitToReadAsync().ConfigureAwait(false))
        {
            // Once stopping, a batch that failed after the last events were queued has had its last attempt.
            var lastAttempt = _stopping.IsCancellationRequested && batch.Count > 0;

            // Batch: let events accumulate for one flush interval (skipped once the bus is stopping).
            if (!_stopping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(_options.StoreFlushInterval, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping: write what is queued now.
                }
            }

            while (queue.TryRead(out var item))
            {
                if (item is GapEvent gap)
                {
                    Interlocked.Add(ref _droppedAtStore, gap.MissedCount);
                }
                else
                {
                    batch.Add(item);
                }
            }

            await WriteToStoreAsync(batch).ConfigureAwait(false);
            if (lastAttempt)
            {
                break;
            }
        }

        if (batch.Count > 0)
        {
            // The last attempt failed too; what is left cannot be kept.
            Interlocked.Add(ref _droppedAtStore, batch.Count);
        }
    }

    private async Task WriteToStoreAsync(List<TrainInsightEvent> batch)
    {
        if (batch.Count == 0)
        {
            return;
        }

        try
        {
            await _store!.AppendAsync(batch, CancellationToken.None).ConfigureAwait(false);
            Interlocked.Exchange(ref _storedOffset, batch[^1].Offset);
            batch.Clear();
            _storeHealthy = true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Kept and retried with the next batch; bounded by the store queue's capacity. Logged once per streak.
            if (Interlocked.Increment(ref _storeErrors) == 1 || _storeHealthy)
            {
                BusLog.StoreWriteFailed(_logger, batch.Count, ex);
            }

            _storeHealthy = false;
            if (batch.Count > _options.StoreQueueCapacity)
            {
                var excess = batch.Count - _options.StoreQueueCapacity;
                batch.RemoveRange(0, excess);
                Interlocked.Add(ref _droppedAtStore, excess);
            }
        }
    }

    private void OnSubscriberDropped(long count) => Interlocked.Add(ref _droppedAtSubscribers, count);

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_subscribers, subscription);
            if (index >= 0)
            {
                _subscribers = [.. _subscribers.AsSpan(0, index), .. _subscribers.AsSpan(index + 1)];
            }
        }
    }

    private sealed class RunTracker(RunDescriptor run)
    {
        // The latest value of each metric name, in a slot per name. Trainers publish dictionaries of the same shape
        // (same key instances, same order) again and again, so the slots of the last shape are remembered and matched by
        // reference: no string hashing per value on the hot path.
        private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
        private double[] _values = new double[16];
        private string[] _shapeKeys = [];
        private int[] _shapeSlots = [];
        private RunState _state = RunState.Training;
        private long? _step;
        private int? _epoch;
        private int? _batch;
        private DateTimeOffset _timestamp;
        private long _offset;

        public long LastSequence;

        public RunDescriptor Run => run;

        public bool TryGetValue(string name, out double value)
        {
            var found = _slots.TryGetValue(name, out var slot);
            value = found ? _values[slot] : 0;
            return found;
        }

        public void Observe(TrainInsightEvent item, MeterMirror meter)
        {
            _timestamp = item.Timestamp;
            _offset = item.Offset;
            switch (item)
            {
                case MetricEvent metrics:
                    _step = metrics.Step;
                    _epoch = metrics.Epoch ?? _epoch;
                    _batch = metrics.Batch ?? _batch;
                    if (metrics.Values is Dictionary<string, double> dictionary)
                    {
                        Merge(dictionary, meter);
                    }
                    else
                    {
                        foreach (var (name, value) in metrics.Values)
                        {
                            _values[SlotOf(name, meter)] = value;
                        }
                    }

                    break;
                case TrainingEvent training:
                    // Only state and position: a training event's metrics are summaries (an epoch's mean loss, say)
                    // that must not stand in for the latest measured values.
                    _state = training.State ?? _state;
                    _step = training.Step ?? _step;
                    _epoch = training.Epoch ?? _epoch;
                    break;
            }
        }

        // A Dictionary is enumerated through its struct enumerator: no allocation per event.
        private void Merge(Dictionary<string, double> values, MeterMirror meter)
        {
            var keys = _shapeKeys;
            var slots = _shapeSlots;
            var i = 0;
            var sameShape = values.Count == keys.Length;
            foreach (var (name, value) in values)
            {
                // Equal strings from another source (deserialized per event, say) match too, just less cheaply.
                if (sameShape && (ReferenceEquals(keys[i], name) || string.Equals(keys[i], name, StringComparison.Ordinal)))
                {
                    _values[slots[i]] = value;
                }
                else
                {
                    sameShape = false;
                    _values[SlotOf(name, meter)] = value;
                }

                i++;
            }

            if (!sameShape)
            {
                // A new shape: remember it for the next event (allocates only when the shape changes).
                _shapeKeys = [.. values.Keys];
                _shapeSlots = [.. _shapeKeys.Select(k => _slots[k])];
            }
        }

        private int SlotOf(string name, MeterMirror meter)
        {
            if (!_slots.TryGetValue(name, out var slot))
            {
                slot = _slots.Count;
                if (slot == _values.Length)
                {
                    Array.Resize(ref _values, 2 * _values.Length);
                }

                _slots.Add(name, slot);
                meter.OnMetricName(name);
            }

            return slot;
        }

        public MetricsSnapshot ToSnapshot() => new()
        {
            Run = run,
            State = _state,
            Step = _step,
            Epoch = _epoch,
            Batch = _batch,
            Timestamp = _timestamp,
            Offset = _offset,
            Sequence = LastSequence,
            Values = _slots.ToDictionary(p => p.Key, p => _values[p.Value], StringComparer.Ordinal),
        };
    }

    private sealed class Subscription(ChannelTelemetryBus bus, SubscriberQueue queue) : ITelemetrySubscription
    {
        private int _disposed;

        public SubscriberQueue Queue => queue;

        public System.Threading.Channels.ChannelReader<TrainInsightEvent> Reader => queue;

        public long DroppedCount => queue.DroppedCount;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                bus.Unsubscribe(this);
                queue.Complete();
            }
        }
    }
}
