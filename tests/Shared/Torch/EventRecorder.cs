namespace TrainInsight.Testing;

/// <summary>Subscribes to a real bus and records every event it delivers, in order, on a background task.</summary>
internal sealed class EventRecorder : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly ITelemetrySubscription _subscription;
    private readonly List<TrainInsightEvent> _events = [];
    private readonly Lock _gate = new();
    private readonly Task _pump;

    public EventRecorder(ITelemetryBus bus, string? runId = null)
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

    public IReadOnlyList<MetricEvent> Metrics => [.. Events.OfType<MetricEvent>()];

    public IReadOnlyList<TrainingEvent> TrainingEvents(TrainingEventKind kind) =>
        [.. Events.OfType<TrainingEvent>().Where(e => e.Kind == kind)];

    /// <summary>Waits for the first recorded event (from index <paramref name="from"/> on) that matches, failing after <see cref="Patience"/>.</summary>
    public async Task<TEvent> WaitForAsync<TEvent>(Func<TEvent, bool> predicate, string because, int from = 0)
        where TEvent : TrainInsightEvent
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            var match = Events.Skip(from).OfType<TEvent>().FirstOrDefault(predicate);
            if (match is not null)
            {
                return match;
            }

            if (timeout.IsCancellationRequested)
            {
                throw new TimeoutException($"No event arrived within {Patience.TotalSeconds:N0} s although {because}. Recorded: {Describe()}");
            }

            await Task.Delay(5);
        }
    }

    /// <summary>Waits for the run's <see cref="TrainingEventKind.RunFinished"/> event and returns everything recorded up to then.</summary>
    public async Task<IReadOnlyList<TrainInsightEvent>> WaitForRunFinishedAsync()
    {
        await WaitForAsync<TrainingEvent>(e => e.Kind == TrainingEventKind.RunFinished, "the run finished");
        return Events;
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _pump.Wait(Patience);
    }

    private string Describe() =>
        string.Join(", ", Events.TakeLast(20).Select(e => e switch
        {
            TrainingEvent t => $"{t.Kind}({t.State}, {t.ControlStatus}, step {t.Step})",
            MetricEvent m => $"Metric(step {m.Step})",
            _ => e.GetType().Name,
        }));

    private async Task PumpAsync()
    {
        await foreach (var item in _subscription.Reader.ReadAllAsync())
        {
            lock (_gate)
            {
                _events.Add(item);
            }
        }
    }
}
