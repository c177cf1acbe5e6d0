using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrainInsight.Internal;

/// <summary>
/// The bus: one bounded ingest queue, one dispatcher task that numbers events and fans them out, one bounded queue per
/// subscriber, the history ring, a tracker per run (current snapshot and liveness), and an optional store written in
/// batches by its own <see cref="StoreWriter"/>.
/// </summary>
internal sealed class InProcessTelemetryBus : ITelemetryBus
{
    private static readonly TimeSpan s_dispatcherDrainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_storeFlushTimeout = TimeSpan.FromSeconds(10);

    private readonly TrainInsightOptions _options;
    private readonly ILogger _logger;
    private readonly IngestQueue _ingest;
    private readonly Task _dispatcher;
    private readonly MeterMirror _meter;
    private readonly StoreWriter? _storeWriter;
    private readonly LostRunDetector? _lostRuns;

    // Guards the ring, the run trackers and the subscriber list, so that subscribing with replay is atomic with respect to
    // dispatching: a resuming subscriber gets no duplicate and no hole.
    private readonly Lock _gate = new();
    private readonly HistoryRing _ring;
    private readonly RunRegistry _runs;
    private BusSubscription[] _subscribers = [];
    private readonly List<TaskCompletionSource<bool>> _wakeUps = [];
    private long _lastOffset;

    private long _rejected;
    private long _dispatched;
    private long _droppedAtSubscribers;
    private long _storeStateErrors;
    private long _storeReadErrors;
    private int _disposed;
    private Task? _disposal;

    /// <summary>Gets the bus's "TrainInsight" meter (for tests: every bus has its own, and a listener sees them all).</summary>
    internal System.Diagnostics.Metrics.Meter Meter => _meter.Meter;

    public InProcessTelemetryBus(TrainInsightOptions options, IMetricStore? store = null, ITrainingControl? control = null, ILogger? logger = null)
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
                // Without its state the bus would number events again from 1, colliding with what the store holds: run
                // without the store rather than corrupt it.
                _storeStateErrors++;
                BusLog.StoreStateUnreadable(_logger, ex);
                store = null;
            }
        }

        _lastOffset = state.LastOffset;
        _runs = new RunRegistry(state.LastSequences, _logger);
        _meter = new MeterMirror(ObserveMetric, GetStatistics);
        if (store is not null)
        {
            _storeWriter = new StoreWriter(store, options, state.LastOffset, _logger);
        }

        _dispatcher = Task.Run(DispatchLoopAsync);
        if (options.LostRunTimeout is { } timeout)
        {
            _lostRuns = new LostRunDetector(timeout, this, store, control, _logger);
        }
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
        var filter = EventFilter.Create(options.RunId, options.MetricNames);
        lock (_gate)
        {
            // Checked again under the gate: disposal completes the subscribers it finds under the gate, so one added after
            // that would never complete.
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
            var queue = new SubscriberQueue(queueCapacity, filter, OnSubscriberDropped, options.AllowSynchronousContinuations);
            if (olderThanRing is { } until)
            {
                StartReplay(queue, options.RunId, options.AfterOffset!.Value, until, replay!);
            }

            if (replay is { Count: > 0 })
            {
                queue.Write(CollectionsMarshal.AsSpan(replay));
            }

            var subscription = new BusSubscription(queue, Unsubscribe);
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
            var tracker = runId is null ? _runs.Latest : _runs.Find(runId);
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
                DroppedAtStore = _storeWriter?.DroppedCount ?? 0,
                StoreErrors = _storeStateErrors + Interlocked.Read(ref _storeReadErrors) + (_storeWriter?.ErrorCount ?? 0),
                StoredOffset = _storeWriter?.StoredOffset ?? 0,
                SnapshotErrors = _runs.SnapshotErrors,
                Subscribers = _subscribers.Length,
                LastOffset = _lastOffset,
            };
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _disposal = DisposeCoreAsync();
        }

        // A second caller waits for the first disposal, so that "disposed" always means "drained and flushed".
        return new ValueTask(Volatile.Read(ref _disposal) ?? Task.CompletedTask);
    }

    /// <summary>Whether the bus has dispatched an event of the run.</summary>
    internal bool Knows(string runId)
    {
        lock (_gate)
        {
            return _runs.Contains(runId);
        }
    }

    /// <summary>See <see cref="RunRegistry.TakeSilent"/>.</summary>
    internal List<SilentRun> TakeSilentRuns(long silentSince, IReadOnlyCollection<string>? attached)
    {
        lock (_gate)
        {
            return _runs.TakeSilent(silentSince, attached);
        }
    }

    private async Task DisposeCoreAsync()
    {
        _lostRuns?.Dispose();
        _ingest.Complete();

        // Let the dispatcher drain what was published before disposal; it never blocks on subscribers.
        try
        {
            await _dispatcher.WaitAsync(s_dispatcherDrainTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The dispatcher never waits on anything slow; a bus still draining after this long is not waited for.
        }

        BusSubscription[] subscribers;
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
            await _storeWriter.StopAsync(s_storeFlushTimeout).ConfigureAwait(false);
        }

        _meter.Dispose();
        _ingest.Dispose();
    }

    /// <summary>Starts a subscriber whose resume position is older than the ring with what the store (or a gap) says.</summary>
    private void StartReplay(SubscriberQueue queue, string? runId, long afterOffset, long until, List<TrainInsightEvent> replay)
    {
        // A gap names the subscribed run when there is one, so that a run's subscriber hears only of that run.
        var tracker = runId is null ? null : _runs.Find(runId);
        if (_storeWriter is { } writer)
        {
            // The ring holds the run's latest events, so its last sequence at or before `until` is known.
            var lastSequence = runId is null ? 0
                : tracker is not null ? tracker.LastSequence - replay.Count
                : _runs.RecoveredSequence(runId);
            queue.ReplayFromStoreFirst(new StoreReplay(
                writer.Store, runId, afterOffset, until, tracker?.Run ?? _runs.Latest?.Run, lastSequence, () => writer.StoredOffset, OnStoreReadFailed));
        }
        else
        {
            // Nothing holds those events any more: say so, in their place.
            var run = replay is { Count: > 0 } ? replay[0].Run : tracker?.Run ?? _runs.Latest?.Run ?? new RunDescriptor(runId ?? "unknown");
            var from = afterOffset + 1;
            queue.Write([new GapEvent(run, until - from + 1, from, until, 0)]);
        }
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
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _lastOffset = _runs.Number(items, _lastOffset, now, _ring);
            _dispatched += items.Length;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Queue.Write(items, _wakeUps);
            }

            _storeWriter?.Write(items);

            // Last: merging values runs code the publisher controls (its dictionary), so it must not come before delivery.
            _runs.Observe(items, _meter);
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

    private List<Measurement<double>> ObserveMetric(string name)
    {
        lock (_gate)
        {
            return _runs.Measure(name);
        }
    }

    /// <summary>A replay's store read failed (the subscriber got a gap instead): counted, the first logged with its exception.</summary>
    private void OnStoreReadFailed(Exception exception)
    {
        if (Interlocked.Increment(ref _storeReadErrors) == 1)
        {
            BusLog.StoreReadFailed(_logger, exception);
        }
    }

    private void OnSubscriberDropped(long count) => Interlocked.Add(ref _droppedAtSubscribers, count);

    private void Unsubscribe(BusSubscription subscription)
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
}
