using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using TrainInsight.Llm;

namespace TrainInsight.Benchmarks.Llm;

/// <summary>
/// P7, training is never slowed by the assistant: the trainer's <c>TryPublish</c> of 1,024 metric events with an analysis
/// streaming on another thread the whole time (a fake model emitting a piece every millisecond, analyses back to back,
/// each reading the run and writing its context) against the same with nothing else running. P95 and P100 are over the
/// iterations (each iteration is 1,024 invocations of one batch).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PercentileConfig))]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 30, invocationCount: InvocationsPerIteration)]
public class PublishWhileStreamingBenchmarks
{
    private const int Batch = 1_024;
    private const int InvocationsPerIteration = 256;
    private static readonly RunDescriptor s_trainer = new("trainer-run");
    private static readonly IReadOnlyDictionary<string, double> s_values = new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.5, [MetricNames.LearningRate] = 0.001 };

    private ITelemetryBus _bus = null!;
    private ITelemetrySubscription _subscription = null!;
    private CancellationTokenSource _stop = null!;
    private Task _analyses = Task.CompletedTask;
    private MetricEvent[] _events = [];
    private int _next;
    private long _analysesDone;

    [Params(false, true)]
    public bool AnalysisStreaming { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var store = new InMemoryMetricStore(1_000_000);
        _bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(100) }, store);
        _subscription = _bus.Subscribe(new SubscriptionOptions { Capacity = 4 * Batch });
        _ = DrainAsync(_subscription);
        RunFixture.Publish(_bus, "analysed-run", steps: 2_000);
        RunFixture.WaitStored(store, "analysed-run", 2_000);
        _stop = new CancellationTokenSource();
        if (AnalysisStreaming)
        {
            var assistant = new TrainingAssistant(store, _bus, new DelayedChatClient(TimeSpan.FromMilliseconds(1), pieces: 200),
                new LlmOptions { MaxCallsPerMinute = 100_000, MaxTokensPerDay = 10_000_000_000 });
            _analyses = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    await foreach (var _ in assistant.AnalyzeStreamingAsync(new AssistantRequest("analysed-run"), _stop.Token).ConfigureAwait(false))
                    {
                    }

                    Interlocked.Increment(ref _analysesDone);
                }
            });
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop.Cancel();
        try
        {
            _analyses.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }

        Console.WriteLine($"// analyses completed while measuring: {Interlocked.Read(ref _analysesDone):N0}");
        _bus.Dispose();
    }

    [IterationSetup]
    public void CreateEvents()
    {
        _events = Enumerable.Range(0, Batch * InvocationsPerIteration).Select(i => new MetricEvent(s_trainer, i, s_values)).ToArray();
        _next = 0;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public bool PublishBatch()
    {
        var ok = true;
        for (var i = 0; i < Batch; i++)
        {
            ok &= _bus.TryPublish(_events[_next++]);
        }

        return ok;
    }

    private static async Task DrainAsync(ITelemetrySubscription subscription)
    {
        try
        {
            await foreach (var _ in subscription.Reader.ReadAllAsync().ConfigureAwait(false))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig() => AddColumn(StatisticColumn.P95, StatisticColumn.P100);
    }
}
