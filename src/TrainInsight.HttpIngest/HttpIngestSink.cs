using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.HttpIngest.Internal;

namespace TrainInsight.HttpIngest;

/// <summary>
/// Forwards the events of a local <see cref="ITelemetryBus"/> to a TrainInsight server's <c>POST /api/ingest</c>
/// endpoint, so a trainer in another process or on another machine shows up on the server's streams.
/// </summary>
/// <remarks>
/// <para>
/// The sink subscribes to the bus when it is created and sends from a background task: the training thread's only
/// cost stays <see cref="ITelemetryBus.TryPublish"/>. Events are sent in batches of up to
/// <see cref="HttpIngestSinkOptions.BatchSize"/>, each run's events in order with their bus
/// <see cref="TrainInsightEvent.Sequence"/>, which the server uses to skip events it already has: a batch resent after
/// a lost response is not stored twice.
/// </para>
/// <para>
/// Requests go through a Polly resilience pipeline: network errors, timeouts, 5xx, 408 and 429 responses are retried with
/// exponential backoff and jitter (honoring <c>Retry-After</c>) until they succeed or the sink is disposed; meanwhile at most
/// <see cref="HttpIngestSinkOptions.MaxBufferedEvents"/> events wait and the oldest are dropped (counted in
/// <see cref="DroppedCount"/>). Other 4xx responses reject the batch: its events are dropped, counted in
/// <see cref="RejectedCount"/> and logged. Only <see cref="MetricEvent"/>s and <see cref="TrainingEvent"/>s are sent,
/// except <see cref="TrainingEventKind.ControlApplied"/> acknowledgements, which belong to the local host's commands,
/// and <see cref="TrainingEventKind.RunLost"/> notices, which the central server decides for itself.
/// </para>
/// <para>
/// In a host with dependency injection, <c>AddHttpIngestSink</c> creates the sink when the host starts, with an
/// <see cref="HttpClient"/> from <c>IHttpClientFactory</c> (named <see cref="HttpClientName"/>, so the host can add its own
/// handlers, such as authentication), and disposes it when the host stops.
/// </para>
/// </remarks>
public sealed class HttpIngestSink : IAsyncDisposable
{
    /// <summary>The name of the <c>IHttpClientFactory</c> client <c>AddHttpIngestSink</c> sends with: "TrainInsight.HttpIngest".</summary>
    public const string HttpClientName = "TrainInsight.HttpIngest";

    private readonly ITelemetryBus _bus;
    private readonly HttpIngestSinkOptions _options;
    private readonly ILogger _logger;
    private readonly IngestSender _sender;
    private readonly ITelemetrySubscription _subscription;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    // Guards the flush waiters, the wake signal and _pumpDone.
    private readonly Lock _gate = new();
    private readonly List<FlushWaiter> _flushWaiters = [];
    private TaskCompletionSource _wake = NewSignal();
    private bool _pumpDone;

    private long _abandoned;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="HttpIngestSink"/> class and starts forwarding.</summary>
    /// <param name="bus">The local bus whose events are sent; the sink subscribes to it at once.</param>
    /// <param name="options">Where and how to send.</param>
    /// <param name="httpClient">
    /// The client to send with, usually from <c>IHttpClientFactory</c>; the sink does not dispose it and bounds each attempt
    /// by <see cref="HttpIngestSinkOptions.RequestTimeout"/> (the client's own <see cref="HttpClient.Timeout"/> still
    /// applies: set it to <see cref="Timeout.InfiniteTimeSpan"/> or above the request timeout).
    /// </param>
    /// <param name="logger">
    /// Receives rejected batches and the first failure of a streak (warnings) and each retry (debug). The default logs nothing.
    /// </param>
    public HttpIngestSink(ITelemetryBus bus, HttpIngestSinkOptions options, HttpClient httpClient, ILogger<HttpIngestSink>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        _bus = bus;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _sender = new IngestSender(httpClient, options, _logger);
        _subscription = bus.Subscribe(new SubscriptionOptions { Capacity = options.MaxBufferedEvents, RunId = options.RunId });
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>Gets how many events the server accepted as new.</summary>
    public long SentCount => _sender.SentCount;

    /// <summary>Gets how many events the server acknowledged as ones it already had (resent after a lost response).</summary>
    public long DuplicateCount => _sender.DuplicateCount;

    /// <summary>Gets how many events the server rejected (a 4xx response other than 408 and 429); they are not retried.</summary>
    public long RejectedCount => _sender.RejectedCount;

    /// <summary>
    /// Gets how many events were lost before they could be sent: the oldest, when more than
    /// <see cref="HttpIngestSinkOptions.MaxBufferedEvents"/> were waiting, and those still unsent when disposal ended.
    /// </summary>
    public long DroppedCount => _subscription.DroppedCount + Interlocked.Read(ref _abandoned);

    /// <summary>Gets how many requests failed and were retried (network errors, timeouts, 5xx, 408, 429).</summary>
    public long FailedAttemptCount => _sender.FailedAttemptCount;

    /// <summary>
    /// Sends every event published on the bus before the call (and not dropped) without waiting for the flush interval,
    /// and completes when the server has answered for all of them; while the server is unreachable, it keeps waiting.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting; the events are still sent afterwards.</param>
    /// <returns>A task that completes when the events are sent, rejected or dropped, or when the sink is disposed.</returns>
    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = await WaitForDispatchAsync(cancellationToken).ConfigureAwait(false);
        var waiter = new FlushWaiter(target);
        lock (_gate)
        {
            if (_pumpDone)
            {
                return;
            }

            _flushWaiters.Add(waiter);
            _wake.TrySetResult();
        }

        await waiter.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends what is still buffered for at most <see cref="HttpIngestSinkOptions.DisposeTimeout"/>, then stops, unsubscribes
    /// and counts what was not sent as dropped.
    /// </summary>
    /// <returns>A task that completes when the sink has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using (var timeout = new CancellationTokenSource(_options.DisposeTimeout))
        {
            try
            {
                await FlushAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Out of time: what is left is counted as dropped below.
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _pump.ConfigureAwait(false);
        _subscription.Dispose();
        _stop.Dispose();
    }

    /// <summary>Waits until the bus has dispatched what was published before; returns the bus's last offset then.</summary>
    private async Task<long> WaitForDispatchAsync(CancellationToken cancellationToken)
    {
        var published = _bus.GetStatistics().Published;
        while (true)
        {
            var statistics = _bus.GetStatistics();
            if (statistics.Dispatched + statistics.DroppedAtIngest >= published || Volatile.Read(ref _pumpDone))
            {
                return statistics.LastOffset;
            }

            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PumpAsync()
    {
        var reader = _subscription.Reader;
        var batch = new List<TrainInsightEvent>(_options.BatchSize);
        var token = _stop.Token;
        Task<bool>? readable = null;
        long deadline = 0;
        try
        {
            while (true)
            {
                Task wake;
                bool flushPending;
                lock (_gate)
                {
                    if (_wake.Task.IsCompleted)
                    {
                        _wake = NewSignal();
                    }

                    wake = _wake.Task;
                    flushPending = _flushWaiters.Count > 0;
                }

                Fill(reader, batch);
                if (batch.Count > 0 && (batch.Count >= _options.BatchSize || flushPending || Stopwatch.GetTimestamp() >= deadline && deadline != 0))
                {
                    await _sender.SendAsync(batch, token).ConfigureAwait(false);
                    batch.Clear();
                    deadline = 0;
                    continue;
                }

                if (batch.Count == 0)
                {
                    CompleteFlushWaiters(reader, all: false);
                }
                else if (deadline == 0)
                {
                    deadline = Stopwatch.GetTimestamp() + (long)(_options.FlushInterval.TotalSeconds * Stopwatch.Frequency);
                }

                readable ??= reader.WaitToReadAsync(token).AsTask();
                if (batch.Count == 0)
                {
                    await Task.WhenAny(readable, wake).ConfigureAwait(false);
                }
                else
                {
                    var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                    await Task.WhenAny(readable, wake, Task.Delay(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, token)).ConfigureAwait(false);
                }

                token.ThrowIfCancellationRequested();
                if (readable.IsCompleted)
                {
                    var more = await readable.ConfigureAwait(false);
                    readable = null;
                    if (!more)
                    {
                        // The bus was disposed: send what is left, then stop.
                        Fill(reader, batch);
                        if (batch.Count > 0)
                        {
                            await _sender.SendAsync(batch, token).ConfigureAwait(false);
                            batch.Clear();
                        }

                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Disposed: what is still here was not sent.
            var left = batch.Count;
            while (reader.TryRead(out var item))
            {
                left += IngestBatchBuilder.IsForwarded(item) ? 1 : 0;
            }

            if (left > 0)
            {
                Interlocked.Add(ref _abandoned, left);
                HttpIngestSinkLog.Abandoned(_logger, left);
            }
        }
        finally
        {
            lock (_gate)
            {
                _pumpDone = true;
            }

            CompleteFlushWaiters(reader, all: true);
        }
    }

    private void Fill(System.Threading.Channels.ChannelReader<TrainInsightEvent> reader, List<TrainInsightEvent> batch)
    {
        // Other event types (such as a future gap marker) are not part of the ingest format and are skipped.
        while (batch.Count < _options.BatchSize && reader.TryRead(out var item))
        {
            if (IngestBatchBuilder.IsForwarded(item))
            {
                batch.Add(item);
            }
        }
    }

    /// <summary>
    /// Completes the flushes whose events have all been handled: nothing is in flight and the next event waiting, if
    /// any, came after the flush's target offset (the subscription delivers in offset order).
    /// </summary>
    private void CompleteFlushWaiters(System.Threading.Channels.ChannelReader<TrainInsightEvent> reader, bool all)
    {
        var next = !all && reader.CanPeek && reader.TryPeek(out var head) ? head.Offset : long.MaxValue;
        List<FlushWaiter>? done = null;
        lock (_gate)
        {
            for (var i = _flushWaiters.Count - 1; i >= 0; i--)
            {
                if (_flushWaiters[i].TargetOffset < next)
                {
                    (done ??= []).Add(_flushWaiters[i]);
                    _flushWaiters.RemoveAt(i);
                }
            }
        }

        if (done is not null)
        {
            foreach (var waiter in done)
            {
                waiter.Done.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class FlushWaiter(long targetOffset)
    {
        public long TargetOffset { get; } = targetOffset;

        public TaskCompletionSource Done { get; } = NewSignal();
    }
}
