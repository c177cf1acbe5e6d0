using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.Diagnostics.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>
/// Runs the diagnosis behind a bus: one subscriber, off the training thread, feeds every event to a
/// <see cref="TrainingDiagnoser"/> and publishes the finding revisions it causes back onto the bus as
/// <see cref="FindingEvent"/>s, so that they are streamed (SSE, WebSocket), stored and served like any event.
/// </summary>
/// <remarks>Thread-safe. <see cref="Start"/> subscribes; disposing stops and unsubscribes.</remarks>
public sealed class DiagnosisEngine : IAsyncDisposable, IDisposable
{
    private readonly ITelemetryBus _bus;
    private readonly DiagnosticsOptions _options;
    private readonly ILogger _logger;
    private readonly TrainingDiagnoser _diagnoser;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private ITelemetrySubscription? _subscription;
    private Task? _loop;
    private long _eventsProcessed;
    private long _findingsPublished;
    private long _errors;
    private long _publishFailures;
    private long _eventsMissed;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="DiagnosisEngine"/> class.</summary>
    /// <param name="bus">The bus to diagnose and publish findings on.</param>
    /// <param name="options">The labels, thresholds and aliases. The default is <c>new DiagnosticsOptions()</c>.</param>
    /// <param name="logger">Logs the first failure of each kind and every finding raised or resolved. The default logs nothing.</param>
    public DiagnosisEngine(ITelemetryBus bus, DiagnosticsOptions? options = null, ILogger<DiagnosisEngine>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        _bus = bus;
        _options = options ?? new DiagnosticsOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _diagnoser = new TrainingDiagnoser(_options);
    }

    /// <summary>Gets how many events the engine has diagnosed.</summary>
    public long EventsProcessed => Interlocked.Read(ref _eventsProcessed);

    /// <summary>Gets how many finding revisions the engine published.</summary>
    public long FindingsPublished => Interlocked.Read(ref _findingsPublished);

    /// <summary>Gets how many events could not be diagnosed because a detector threw (the first is logged with its exception).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Gets how many findings the bus rejected (it was disposed); the first is logged.</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    /// <summary>Gets how many events the engine missed because it fell behind the bus (see <see cref="DiagnosticsOptions.SubscriberCapacity"/>).</summary>
    public long EventsMissed => Interlocked.Read(ref _eventsMissed);

    /// <summary>Subscribes to the bus and starts diagnosing live events. Calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The engine is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            if (_subscription is not null)
            {
                return;
            }

            _subscription = _bus.Subscribe(new SubscriptionOptions { Capacity = _options.SubscriberCapacity });
            _loop = Task.Run(() => RunAsync(_subscription, _stop.Token));
        }
    }

    /// <summary>Gets the latest revision of each of a run's findings, in the order raised.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>The findings, open and resolved; empty for a run the engine has not seen (or has forgotten).</returns>
    public IReadOnlyList<FindingEvent> GetFindings(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_gate)
        {
            return _diagnoser.GetFindings(runId);
        }
    }

    /// <summary>Gets, for each label, whether the run sends the signals it needs.</summary>
    /// <param name="runId">The run.</param>
    /// <returns>One entry per enabled label; empty for a run the engine has not seen.</returns>
    public IReadOnlyList<LabelCoverage> GetCoverage(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        lock (_gate)
        {
            return _diagnoser.GetCoverage(runId);
        }
    }

    /// <summary>Stops diagnosing and unsubscribes, waiting for the event in progress.</summary>
    /// <returns>A task that completes when the engine has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
            _subscription?.Dispose();
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>Stops diagnosing and unsubscribes.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task RunAsync(ITelemetrySubscription subscription, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    Process(item);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private void Process(TrainInsightEvent item)
    {
        if (item is GapEvent gap)
        {
            if (Interlocked.Add(ref _eventsMissed, gap.MissedCount) == gap.MissedCount)
            {
                DiagnosisLog.EventsMissed(_logger, gap.MissedCount, gap.FirstMissedOffset, gap.LastMissedOffset);
            }

            return;
        }

        if (item is FindingEvent)
        {
            return;
        }

        IReadOnlyList<FindingEvent> findings;
        try
        {
            lock (_gate)
            {
                findings = _diagnoser.Observe(item);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (Interlocked.Increment(ref _errors) == 1)
            {
                DiagnosisLog.EventFailed(_logger, item.RunId, ex);
            }

            return;
        }

        Interlocked.Increment(ref _eventsProcessed);
        foreach (var finding in findings)
        {
            if (finding.Revision == 1 || finding.State == FindingState.Resolved)
            {
                DiagnosisLog.Finding(_logger, finding.State, finding.RunId, finding.Label, finding.Severity, finding.Step, finding.Message);
            }

            if (_bus.TryPublish(finding))
            {
                Interlocked.Increment(ref _findingsPublished);
            }
            else if (Interlocked.Increment(ref _publishFailures) == 1)
            {
                DiagnosisLog.PublishFailed(_logger, finding.RunId, finding.Label);
            }
        }
    }
}
