namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>Subscribes to a real bus for one run and records every event the subscription yields, in order.</summary>
internal sealed class TraceRecorder : IDisposable
{
    private readonly ITelemetrySubscription _subscription;
    private readonly List<TrainInsightEvent> _events = [];
    private readonly Lock _gate = new();
    private readonly Task _pump;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TraceRecorder(ITelemetryBus bus, string runId)
    {
        _subscription = bus.Subscribe(new SubscriptionOptions { RunId = runId, Capacity = 1_000_000 });
        _pump = Task.Run(PumpAsync);
    }

    public IReadOnlyList<TrainInsightEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public long Dropped => _subscription.DroppedCount;

    /// <summary>Waits (bounded) until the run's <see cref="TrainingEventKind.RunFinished"/> event has been recorded.</summary>
    public bool WaitForRunFinished(TimeSpan timeout) => _finished.Task.Wait(timeout);

    public void Dispose()
    {
        _subscription.Dispose();
        _pump.Wait(TimeSpan.FromSeconds(10));
    }

    private async Task PumpAsync()
    {
        await foreach (var item in _subscription.Reader.ReadAllAsync())
        {
            lock (_gate)
            {
                _events.Add(item);
            }

            if (item is TrainingEvent { Kind: TrainingEventKind.RunFinished })
            {
                _finished.TrySetResult();
            }
        }
    }
}
