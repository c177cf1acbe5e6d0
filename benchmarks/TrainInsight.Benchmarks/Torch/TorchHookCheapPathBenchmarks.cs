// Latest results (2026-11-24, one run, shared 2-core VM):
//
// | Method                        | Mean         | Error      | StdDev       | Allocated |
// |------------------------------ |-------------:|-----------:|-------------:|----------:|
// | 'Hooks alone, unsampled step' |     77.58 ns |   1.594 ns |     2.706 ns |         - |
// | 'Hooks alone, sampled step'   | 33,776.58 ns | 658.731 ns | 1,688.579 ns |    5408 B |

using BenchmarkDotNet.Attributes;
using TorchSharp.Modules;
using TrainInsight.Torch;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Benchmarks.Torch;

/// <summary>
/// P1, the cheap path: what the hooks cost on an unsampled step by themselves — <c>WaitForStepBoundary</c> with nothing
/// pending plus <c>RecordStep</c> — with the training step left out. Metrics are sampled every 1,000,000 steps here,
/// so every measured call is unsampled (as 9 in 10 steps are with the default interval of 10). The goal is 0 B. The
/// sampled step (every 10th by default) is measured too: with the step time of <see cref="TorchHookBenchmarks"/> these
/// two give the hooks' share of a step far more precisely than comparing two noisy step timings.
/// </summary>
[MemoryDiagnoser]
public class TorchHookCheapPathBenchmarks
{
    private ITelemetryBus _bus = null!;
    private SmallCnn _model = null!;
    private Adam _optimizer = null!;
    private TrainingSession _session = null!;
    private TrainingSession _sampledSession = null!;
    private Tensor _loss = null!;
    private Tensor _output = null!;
    private Tensor _labels = null!;

    [GlobalSetup]
    public void Setup()
    {
        random.manual_seed(1);
        _bus = TelemetryBus.Create();
        _model = new SmallCnn();
        _optimizer = optim.Adam(_model.parameters());
        _labels = randint(0, 10, [128]).DetachFromDisposeScope();
        _output = _model.call(randn(128, 1, 28, 28)).DetachFromDisposeScope();
        _loss = nn.functional.cross_entropy(_output, _labels).DetachFromDisposeScope();
        var monitor = new TrainingMonitor(_bus, TrainingControl.Create(), new TorchMonitorOptions { MetricsInterval = 1_000_000 });
        _session = monitor.Attach(_model, _optimizer, RunDescriptor.Create("p1-cheap"));

        // Step 1 is always sampled: take it here.
        _session.WaitForStepBoundary();
        _session.RecordStep(_loss, _output, _labels);

        // Every step sampled: what the default hooks do once every 10 steps (read the loss, count the correct
        // predictions, build and publish the metric event).
        var sampled = new TrainingMonitor(_bus, TrainingControl.Create(), new TorchMonitorOptions { MetricsInterval = 1 });
        _sampledSession = sampled.Attach(_model, _optimizer, RunDescriptor.Create("p1-sampled"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Complete();
        _sampledSession.Complete();
        _loss.Dispose();
        _output.Dispose();
        _labels.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
        _bus.Dispose();
    }

    [Benchmark(Description = "Hooks alone, unsampled step")]
    public bool UnsampledStepHooks()
    {
        var go = _session.WaitForStepBoundary();
        _session.RecordStep(_loss, _output, _labels);
        return go;
    }

    [Benchmark(Description = "Hooks alone, sampled step")]
    public bool SampledStepHooks()
    {
        var go = _sampledSession.WaitForStepBoundary();
        _sampledSession.RecordStep(_loss, _output, _labels);
        return go;
    }
}
