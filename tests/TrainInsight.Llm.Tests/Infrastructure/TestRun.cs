namespace TrainInsight.Llm.Tests.Infrastructure;

/// <summary>A real bus with one synthetic run; publishes events and waits until the dispatcher has them in history.</summary>
internal sealed class TestRun : IDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Dictionary<string, int> _published = new(StringComparer.Ordinal);
    private long _step;

    public TestRun(string id = "run-a", ITelemetryBus? bus = null, RunDescriptor? run = null)
    {
        Bus = bus ?? TelemetryBus.Create();
        Run = run ?? new RunDescriptor(id)
        {
            Name = "Test run",
            ModelName = "SmallCnn",
            ParameterCount = 123_456,
            TotalEpochs = 10,
            StepsPerEpoch = 100,
            Hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.LearningRate] = 0.01, [HyperparameterNames.BatchSize] = 64 },
        };
    }

    public ITelemetryBus Bus { get; }

    public RunDescriptor Run { get; }

    public string Id => Run.Id;

    /// <summary>Publishes one metric event per loss, at steps continuing from the last one, in <paramref name="epoch"/>.</summary>
    public TestRun Losses(IEnumerable<double> losses, int? epoch = null, Action<Dictionary<string, double>>? extra = null)
    {
        foreach (var loss in losses)
        {
            var values = new Dictionary<string, double> { [MetricNames.TrainLoss] = loss };
            extra?.Invoke(values);
            Publish(new MetricEvent(Run, ++_step, values) { Epoch = epoch });
        }

        return this;
    }

    /// <summary>Publishes a metric event with any values at the next step.</summary>
    public TestRun Metrics(Dictionary<string, double> values, int? epoch = null)
    {
        Publish(new MetricEvent(Run, ++_step, values) { Epoch = epoch });
        return this;
    }

    /// <summary>Publishes an EpochCompleted event with the given summary metrics (null ones left out).</summary>
    public TestRun Epoch(int epoch, double? trainLoss, double? valLoss, double? valAccuracy = null)
    {
        var metrics = new Dictionary<string, double>();
        if (trainLoss is { } t)
        {
            metrics[MetricNames.TrainLoss] = t;
        }

        if (valLoss is { } v)
        {
            metrics[MetricNames.ValLoss] = v;
        }

        if (valAccuracy is { } a)
        {
            metrics[MetricNames.ValAccuracy] = a;
        }

        Publish(new TrainingEvent(Run, TrainingEventKind.EpochCompleted) { Epoch = epoch, Step = _step, State = RunState.Training, Metrics = metrics });
        return this;
    }

    /// <summary>Publishes an event as it is (a finding, say) and counts it for <see cref="SettledAsync"/>.</summary>
    public TestRun Event(TrainInsightEvent item)
    {
        Publish(item);
        return this;
    }

    public long Step => _step;

    public TestRun Started()
    {
        Publish(new TrainingEvent(Run, TrainingEventKind.RunStarted) { State = RunState.Training });
        return this;
    }

    /// <summary>Waits until the bus's history holds every event this run published, failing after <see cref="Patience"/>.</summary>
    public async Task<TestRun> SettledAsync()
    {
        await Poll.UntilAsync(
            () => _published.All(p => Bus.GetHistory().Count(e => e.RunId == p.Key) >= p.Value), "the bus dispatched the test events", Patience);
        return this;
    }

    public void Dispose() => Bus.Dispose();

    private void Publish(TrainInsightEvent item)
    {
        if (!Bus.TryPublish(item))
        {
            throw new InvalidOperationException("The bus rejected a test event.");
        }

        _published[item.RunId] = _published.GetValueOrDefault(item.RunId) + 1;
    }
}
