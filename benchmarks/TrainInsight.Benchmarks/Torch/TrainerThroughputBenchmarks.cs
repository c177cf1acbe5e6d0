// Latest results (2026-11-24, one run, shared 2-core VM; 12,800 images per operation):
//
// | Method                           | Mean    | Error    | StdDev   | Ratio | RatioSD | Allocated |
// |--------------------------------- |--------:|---------:|---------:|------:|--------:|----------:|
// | 'Bare TorchSharp loop'           | 2.032 s | 0.2374 s | 0.3087 s |  1.02 |    0.21 |   1.99 MB |
// | 'Bare TorchSharp loop (again)'   | 1.891 s | 0.2327 s | 0.3026 s |  0.95 |    0.20 |   1.99 MB |
// | 'VisionTrainer, full monitoring' | 2.050 s | 0.2271 s | 0.2952 s |  1.03 |    0.20 |   2.09 MB |

using BenchmarkDotNet.Attributes;
using TorchSharp;
using TrainInsight.Torch;
using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Benchmarks.Torch;

/// <summary>
/// P8: images per second of the sample's trainer with full monitoring against a bare TorchSharp loop, on the same
/// SmallCnn, data and batches. One operation is <see cref="Steps"/> steps of 128 real Fashion-MNIST images (the data set
/// package's files, loaded once), data loading included in both. Full monitoring is what the sample turns on: metrics
/// every 10 steps, layer and activation statistics every 100, a live subscriber reading every event.
/// img/s = Steps × 128 / mean time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 2, warmupCount: 2, iterationCount: 12, invocationCount: 1)]
public class TrainerThroughputBenchmarks
{
    /// <summary>Steps per operation: one statistics step per operation, as in a long run with the sample's settings.</summary>
    public const int Steps = 100;

    private const int BatchSize = 128;

    private ImageClassificationData _train = null!;
    private nn.Module<Tensor, Tensor> _model = null!;
    private ITelemetryBus _bus = null!;
    private ITelemetrySubscription _subscription = null!;
    private Task _reader = null!;
    private VisionTrainer _trainer = null!;
    private int _epoch;

    [GlobalSetup]
    public void Setup()
    {
        torch.set_num_threads(Math.Max(1, Environment.ProcessorCount));
        _train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: Steps * BatchSize);
        random.manual_seed(42);
        _model = new SmallCnn();
        _bus = TelemetryBus.Create();
        _subscription = _bus.Subscribe(new SubscriptionOptions { Capacity = 4_096 });
        _reader = Task.Run(async () =>
        {
            await foreach (var _ in _subscription.Reader.ReadAllAsync())
            {
            }
        });
        var monitor = new TrainingMonitor(_bus, TrainingControl.Create(), new TorchMonitorOptions
        {
            MetricsInterval = 10,
            StatisticsInterval = 100,
            LayerStatistics = true,
            ActivationStatistics = true,
        });
        _trainer = new VisionTrainer(monitor, new VisionTrainerOptions { Epochs = 1, BatchSize = BatchSize, MaxStepsPerEpoch = Steps });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _subscription.Dispose();
        _reader.Wait(TimeSpan.FromSeconds(5));
        _bus.Dispose();
        _model.Dispose();
        _train.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Bare TorchSharp loop")]
    public void BareLoop()
    {
        using var optimizer = optim.Adam(_model.parameters(), 1e-3);
        using var criterion = nn.CrossEntropyLoss();
        _model.train();
        foreach (var (images, labels) in _train.Batches(BatchSize, ++_epoch))
        {
            using (images)
            using (labels)
            using (NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = criterion.call(_model.call(images), labels);
                loss.backward();
                optimizer.step();
            }
        }
    }

    /// <summary>An A/A check: the bare loop again shows how much two identical runs differ on this machine.</summary>
    [Benchmark(Description = "Bare TorchSharp loop (again)")]
    public void BareLoopAgain() => BareLoop();

    [Benchmark(Description = "VisionTrainer, full monitoring")]
    public TrainingSummary MonitoredTrainer() => _trainer.Train(_model, _train, validation: null);
}
