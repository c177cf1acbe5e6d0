using System.Threading.Channels;

namespace TrainInsight.Internal;

/// <summary>
/// The default bus: one bounded ingest channel, one dispatcher task, one bounded channel per subscriber.
/// </summary>
internal sealed class ChannelTelemetryBus : ITelemetryBus
{
    private readonly TrainInsightOptions _options;
    private readonly Channel<TrainInsightEvent> _ingest;
    private readonly Task _dispatcher;

    // Guards the ring, the run trackers and the subscriber list, so that subscribing with replay is atomic
    // with respect to dispatching: a resuming subscriber gets no duplicate and no hole.
    private readonly Lock _gate = new();
    private readonly HistoryRing _ring;
    private readonly Dictionary<string, RunTracker> _runs = new(StringComparer.Ordinal);
    private Subscription[] _subscribers = [];
    private RunTracker? _latestRun;
    private long _lastOffset;

    private long _published;
    private long _rejected;
    private long _droppedAtIngest;
    private long _dispatched;
    private long _droppedAtSubscribers;
    private long _snapshotErrors;
    private int _disposed;

    public ChannelTelemetryBus(TrainInsightOptions options)
    {
        _options = options;
        _ring = new HistoryRing(options.HistoryCapacity);
        _ingest = Channel.CreateBounded<TrainInsightEvent>(
            new BoundedChannelOptions(options.IngestCapacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            _ => Interlocked.Increment(ref _droppedAtIngest));
        _dispatcher = Task.Run(DispatchLoopAsync);
    }

    public bool TryPublish(TrainInsightEvent telemetryEvent)
    {
        if (telemetryEvent is null || Interlocked.Exchange(ref telemetryEvent.PublishedFlag, 1) != 0)
        {
            Interlocked.Increment(ref _rejected);
            return false;
        }

        // Bounded + DropOldest: TryWrite never waits; it fails only once the bus is completed.
        if (_ingest.Writer.TryWrite(telemetryEvent))
        {
            Interlocked.Increment(ref _published);
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
            var replay = options.AfterOffset is { } after ? _ring.CopyAfter(after, options.RunId) : null;
            var subscription = new Subscription(this, (int)Math.Min((long)capacity + (replay?.Count ?? 0), Array.MaxLength), _options.SubscriberFullMode, options.RunId);
            if (replay is not null)
            {
                foreach (var item in replay)
                {
                    subscription.Offer(item);
                }
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
                Published = Interlocked.Read(ref _published),
                Rejected = Interlocked.Read(ref _rejected),
                DroppedAtIngest = Interlocked.Read(ref _droppedAtIngest),
                Dispatched = _dispatched,
                DroppedAtSubscribers = Interlocked.Read(ref _droppedAtSubscribers),
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

        _ingest.Writer.TryComplete();

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
            subscriber.Complete();
        }
    }

    private async Task DispatchLoopAsync()
    {
        var reader = _ingest.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                Dispatch(item);
            }
        }
    }

    private void Dispatch(TrainInsightEvent item)
    {
        lock (_gate)
        {
            if (!_runs.TryGetValue(item.RunId, out var run))
            {
                run = new RunTracker(item.Run);
                _runs.Add(item.RunId, run);
            }

            item.Offset = ++_lastOffset;
            item.Sequence = ++run.LastSequence;
            _latestRun = run;
            _ring.Add(item);
            _dispatched++;
            foreach (var subscriber in _subscribers)
            {
                subscriber.Offer(item);
            }

            // Last, and guarded: a publisher that broke the contract (changed a dictionary after publishing) must
            // cost its own snapshot values, never the dispatcher, the ring's contiguous offsets or other subscribers.
            try
            {
                run.Observe(item);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _snapshotErrors++;
            }
        }
    }

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
        private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);
        private RunState _state = RunState.Training;
        private long? _step;
        private int? _epoch;
        private int? _batch;
        private DateTimeOffset _timestamp;
        private long _offset;

        public long LastSequence;

        public void Observe(TrainInsightEvent item)
        {
            _timestamp = item.Timestamp;
            _offset = item.Offset;
            switch (item)
            {
                case MetricEvent metrics:
                    _step = metrics.Step;
                    _epoch = metrics.Epoch ?? _epoch;
                    _batch = metrics.Batch ?? _batch;
                    Merge(metrics.Values);

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

        private void Merge(IReadOnlyDictionary<string, double> values)
        {
            // The common case, a Dictionary, is enumerated through its struct enumerator: no allocation per event.
            if (values is Dictionary<string, double> dictionary)
            {
                foreach (var (name, value) in dictionary)
                {
                    _values[name] = value;
                }

                return;
            }

            foreach (var (name, value) in values)
            {
                _values[name] = value;
            }
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
            Values = new Dictionary<string, double>(_values, StringComparer.Ordinal),
        };
    }

    private sealed class Subscription : ITelemetrySubscription
    {
        private readonly ChannelTelemetryBus _bus;
        private readonly Channel<TrainInsightEvent> _channel;
        private readonly string? _runId;
        private long _dropped;
        private int _disposed;

        public Subscription(ChannelTelemetryBus bus, int capacity, BoundedChannelFullMode fullMode, string? runId)
        {
            _bus = bus;
            _runId = runId;
            _channel = Channel.CreateBounded<TrainInsightEvent>(
                new BoundedChannelOptions(capacity)
                {
                    FullMode = fullMode,
                    SingleWriter = true,
                    SingleReader = false,
                    AllowSynchronousContinuations = false,
                },
                _ => OnDropped());
        }

        public ChannelReader<TrainInsightEvent> Reader => _channel.Reader;

        public long DroppedCount => Interlocked.Read(ref _dropped);

        public void Offer(TrainInsightEvent item)
        {
            if (_runId is not null && !string.Equals(item.RunId, _runId, StringComparison.Ordinal))
            {
                return;
            }

            // In drop modes TryWrite succeeds even when it dropped; the callback counts the loss.
            if (!_channel.Writer.TryWrite(item) && Volatile.Read(ref _disposed) == 0)
            {
                OnDropped();
            }
        }

        public void Complete() => _channel.Writer.TryComplete();

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _bus.Unsubscribe(this);
                Complete();
            }
        }

        private void OnDropped()
        {
            Interlocked.Increment(ref _dropped);
            Interlocked.Increment(ref _bus._droppedAtSubscribers);
        }
    }
}
