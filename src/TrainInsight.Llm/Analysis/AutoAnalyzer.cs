using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Internal.Analysis;

namespace TrainInsight.Llm;

/// <summary>
/// The assistant's automatic analysis (opt-in, <see cref="LlmOptions.AutoAnalysis"/>): one bus subscriber that, on each new
/// finding of warning severity or worse and at each epoch's end, runs <see cref="ITrainingAssistant.AnalyzeAsync"/> for that
/// run and publishes the answer on the bus as an <see cref="AssistantAnalysisEvent"/>, so dashboards and streams show it live.
/// </summary>
/// <remarks>
/// The subscriber only books triggers: the analyses run off its loop, at most one in flight per run (a trigger that arrives
/// meanwhile waits, and a newer one replaces it), and at most <see cref="LlmOptions.AutoAnalysesPerHour"/> start per run in
/// any 60 minutes. Skipped triggers, failures and rejected publications are counted; the first failure of each kind is
/// logged. Thread-safe. <see cref="Start"/> subscribes; disposing stops, waiting for the analyses in flight.
/// </remarks>
public sealed class AutoAnalyzer : IAsyncDisposable, IDisposable
{
    /// <summary>The trigger of an analysis after a new finding.</summary>
    public const string FindingTrigger = "finding";

    /// <summary>The trigger of an analysis at an epoch's end.</summary>
    public const string EpochTrigger = "epoch";

    // Metric events never trigger an analysis: a metric filter no metric carries keeps them out of the subscriber's queue
    // (training events and findings are always delivered).
    private const string NoMetrics = "\u0000traininsight.auto_analysis.none";

    private readonly ITelemetryBus _bus;
    private readonly ITrainingAssistant _assistant;
    private readonly LlmOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RunAnalysisSlot> _runs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private ITelemetrySubscription? _subscription;
    private Task? _loop;
    private long _triggers;
    private long _analyses;
    private long _skipped;
    private long _failures;
    private long _publishFailures;
    private long _eventsMissed;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="AutoAnalyzer"/> class.</summary>
    /// <param name="bus">The bus to watch and publish the analyses on.</param>
    /// <param name="assistant">The assistant that analyses.</param>
    /// <param name="options">The settings (<see cref="LlmOptions.AutoAnalysesPerHour"/> is read on every trigger). The default is <c>new LlmOptions()</c>.</param>
    /// <param name="logger">Logs the first failure of each kind. The default logs nothing.</param>
    /// <param name="timeProvider">The clock of the hourly limit. The default is <see cref="TimeProvider.System"/>.</param>
    public AutoAnalyzer(ITelemetryBus bus, ITrainingAssistant assistant, LlmOptions? options = null, ILogger<AutoAnalyzer>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(assistant);
        _bus = bus;
        _assistant = assistant;
        _options = options ?? new LlmOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets how many findings and epoch ends asked for an analysis.</summary>
    public long Triggers => Interlocked.Read(ref _triggers);

    /// <summary>Gets how many analyses were published.</summary>
    public long Analyses => Interlocked.Read(ref _analyses);

    /// <summary>Gets how many triggers were skipped: over the hourly limit, or replaced by a newer one while an analysis of the run was in flight.</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    /// <summary>Gets how many analyses failed (the first is logged with its exception).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Gets how many analyses the bus rejected (it was disposed); the first is logged.</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    /// <summary>Gets how many events the analyzer missed because it fell behind the bus.</summary>
    public long EventsMissed => Interlocked.Read(ref _eventsMissed);

    /// <summary>Subscribes to the bus and starts analysing. Calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The analyzer is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            if (_subscription is not null)
            {
                return;
            }

            _subscription = _bus.Subscribe(new SubscriptionOptions { MetricNames = [NoMetrics] });
            _loop = Task.Run(() => RunAsync(_subscription, _stop.Token));
        }
    }

    /// <summary>Stops analysing and unsubscribes, waiting for the analyses in flight (they are canceled).</summary>
    /// <returns>A task that completes when the analyzer has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        Task[] running;
        lock (_gate)
        {
            loop = _loop;
            _subscription?.Dispose();
            running = [.. _runs.Values.Select(r => r.Running).OfType<Task>()];
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _stop.Dispose();
    }

    /// <summary>Stops analysing and unsubscribes.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Books one event: a trigger starts an analysis, waits for the one in flight, or is skipped. Never waits for the model.</summary>
    internal void Observe(TrainInsightEvent item)
    {
        switch (item)
        {
            case GapEvent gap:
                if (Interlocked.Add(ref _eventsMissed, gap.MissedCount) == gap.MissedCount)
                {
                    AssistantLog.AutoAnalysisMissed(_logger, gap.MissedCount, gap.FirstMissedOffset, gap.LastMissedOffset);
                }

                break;
            case FindingEvent { Revision: 1, State: FindingState.Open } f when f.Severity >= FindingSeverity.Warning:
                Trigger(new AnalysisTrigger(f.Run, FindingTrigger, f.FindingId, null, f.Step));
                break;
            case TrainingEvent { Kind: TrainingEventKind.EpochCompleted } t:
                Trigger(new AnalysisTrigger(t.Run, EpochTrigger, null, t.Epoch, t.Step));
                break;
            case TrainingEvent { Kind: TrainingEventKind.RunFinished } t:
                lock (_gate)
                {
                    if (_runs.TryGetValue(t.RunId, out var slot) && slot.Idle)
                    {
                        _runs.Remove(t.RunId);
                    }
                }

                break;
        }
    }

    private void Trigger(AnalysisTrigger trigger)
    {
        Interlocked.Increment(ref _triggers);
        lock (_gate)
        {
            if (!_runs.TryGetValue(trigger.Run.Id, out var slot))
            {
                slot = new RunAnalysisSlot();
                _runs.Add(trigger.Run.Id, slot);
            }

            if (slot.InFlight)
            {
                if (slot.Pending is not null)
                {
                    Interlocked.Increment(ref _skipped);
                }

                slot.Pending = trigger;
                return;
            }

            if (!slot.TryStart(_time.GetUtcNow(), _options.AutoAnalysesPerHour))
            {
                Interlocked.Increment(ref _skipped);
                return;
            }

            slot.InFlight = true;
            slot.Running = Task.Run(() => AnalyzeRunAsync(slot, trigger, _stop.Token));
        }
    }

    private async Task AnalyzeRunAsync(RunAnalysisSlot slot, AnalysisTrigger trigger, CancellationToken cancellationToken)
    {
        AnalysisTrigger? next = trigger;
        while (next is not null)
        {
            await AnalyzeAsync(next, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                next = slot.Pending;
                slot.Pending = null;
                if (next is not null && (cancellationToken.IsCancellationRequested || !slot.TryStart(_time.GetUtcNow(), _options.AutoAnalysesPerHour)))
                {
                    Interlocked.Increment(ref _skipped);
                    next = null;
                }

                if (next is null)
                {
                    slot.InFlight = false;
                }
            }
        }
    }

    private async Task AnalyzeAsync(AnalysisTrigger trigger, CancellationToken cancellationToken)
    {
        AssistantAnswer answer;
        try
        {
            answer = await _assistant.AnalyzeAsync(new AssistantRequest(trigger.Run.Id), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (Interlocked.Increment(ref _failures) == 1)
            {
                AssistantLog.AutoAnalysisFailed(_logger, trigger.Run.Id, ex);
            }

            return;
        }

        var analysis = new AssistantAnalysisEvent(trigger.Run, trigger.Kind, answer.Source, answer.Text)
        {
            Step = trigger.Step,
            Epoch = trigger.Epoch,
            FindingId = trigger.FindingId,
            Language = answer.Language,
            Notice = answer.Notice,
            ModelId = answer.ModelId,
            ProposalIds = [.. answer.Proposals.Select(p => p.ProposalId)],
        };
        if (_bus.TryPublish(analysis))
        {
            Interlocked.Increment(ref _analyses);
        }
        else if (Interlocked.Increment(ref _publishFailures) == 1)
        {
            AssistantLog.AutoAnalysisNotPublished(_logger, trigger.Run.Id);
        }
    }

    private async Task RunAsync(ITelemetrySubscription subscription, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    if (_options.AutoAnalysis)
                    {
                        Observe(item);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }
}
