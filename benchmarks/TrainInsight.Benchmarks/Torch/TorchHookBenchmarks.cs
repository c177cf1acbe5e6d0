// Latest results (2026-11-24, one run, shared 2-core VM; see docs/benchmarks.md for what they mean):
//
// | Method                           | Mean        | Median      | Ratio | RatioSD | Allocated |
// |--------------------------------- |------------:|------------:|------:|--------:|----------:|
// | 'Step, bare'                     | 40,244.8 us | 39,184.2 us | 1.019 |    0.20 |  16.91 KB |
// | 'Step, default hooks'            | 39,298.1 us | 38,795.3 us | 0.995 |    0.15 |  17.46 KB |
// | 'Step, bare (again)'             | 36,046.8 us | 35,944.1 us | 0.912 |    0.14 |  16.91 KB |
// | 'Step, default hooks (again)'    | 40,274.0 us | 39,857.8 us | 1.019 |    0.16 |  17.46 KB |
// | 'Layer norms, hand-written loop' |    313.3 us |    327.6 us | 0.008 |    0.00 |  12.68 KB |
// | 'Layer norms, LayerStatistics'   |    222.6 us |    210.5 us | 0.006 |    0.00 |   9.83 KB |

using BenchmarkDotNet.Attributes;
using TorchSharp;
using TorchSharp.Modules;
using TrainInsight.Torch;
using TrainInsight.Torch.Internal;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Benchmarks.Torch;

/// <summary>
/// P1: what the TorchSharp hooks add to a training step. One operation is one optimizer step of <see cref="SmallCnn"/>
/// on a fixed batch of 128 Fashion-MNIST-sized images (CPU): bare, and with the default hooks (metrics sampled every
/// 10 steps), so the monitored median is an unsampled step and its mean carries the sampled step's share. Per-layer
/// statistics are compared with a hand-written per-parameter norm loop computing the same quantities. The hooks' own
/// cost on an unsampled step is in <see cref="TorchHookCheapPathBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 2, warmupCount: 10, iterationCount: 30, invocationCount: 10)]
public class TorchHookBenchmarks
{
    private const int BatchSize = 128;

    private ITelemetryBus _bus = null!;
    private SmallCnn _model = null!;
    private Adam _optimizer = null!;
    private CrossEntropyLoss _criterion = null!;
    private Tensor _images = null!;
    private Tensor _labels = null!;
    private TrainingSession _session = null!;
    private LayerStatisticsCollector _collector = null!;
    private Dictionary<string, double> _values = null!;
    private (string Layer, Parameter Parameter, Tensor Before)[] _handWritten = null!;

    [GlobalSetup]
    public void Setup()
    {
        // One intra-op thread: on a 2-core machine, libtorch's worker threads and the bus's dispatcher otherwise fight over
        // the cores and the run-to-run spread hides a 1 % difference.
        torch.set_num_threads(1);
        random.manual_seed(1);
        _bus = TelemetryBus.Create();
        _model = new SmallCnn();
        _optimizer = optim.Adam(_model.parameters());
        _criterion = nn.CrossEntropyLoss();
        _images = randn(BatchSize, 1, 28, 28);
        _labels = randint(0, 10, [BatchSize]);
        var monitor = new TrainingMonitor(_bus, TrainingControl.Create(), new TorchMonitorOptions());
        _session = monitor.Attach(_model, _optimizer, RunDescriptor.Create("p1-monitored"));

        // Gradients for the norm benchmarks.
        using (NewDisposeScope())
        {
            _criterion.call(_model.call(_images), _labels).backward();
        }

        _collector = new LayerStatisticsCollector(_model);
        _collector.Snapshot();
        _values = new Dictionary<string, double>(64, StringComparer.Ordinal);
        _handWritten = [.. _model.named_parameters().Select(p => (p.name[1..p.name.LastIndexOf('.')], p.parameter, p.parameter.detach().clone().DetachFromDisposeScope()))];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _session.Complete();
        _collector.Dispose();
        foreach (var (_, _, before) in _handWritten)
        {
            before.Dispose();
        }

        _images.Dispose();
        _labels.Dispose();
        _criterion.Dispose();
        _optimizer.Dispose();
        _model.Dispose();
        _bus.Dispose();
    }

    [Benchmark(Baseline = true, Description = "Step, bare")]
    public void BareStep()
    {
        using var scope = NewDisposeScope();
        _optimizer.zero_grad();
        var output = _model.call(_images);
        var loss = _criterion.call(output, _labels);
        loss.backward();
        _optimizer.step();
    }

    [Benchmark(Description = "Step, default hooks")]
    public void MonitoredStep()
    {
        using var scope = NewDisposeScope();
        _session.WaitForStepBoundary();
        _optimizer.zero_grad();
        var output = _model.call(_images);
        var loss = _criterion.call(output, _labels);
        loss.backward();
        _optimizer.step();
        _session.RecordStep(loss, output, _labels);
    }

    /// <summary>An A/A check: the bare step again, after the others, shows how much two identical runs differ here.</summary>
    [Benchmark(Description = "Step, bare (again)")]
    public void BareStepAgain() => BareStep();

    [Benchmark(Description = "Step, default hooks (again)")]
    public void MonitoredStepAgain() => MonitoredStep();

    [Benchmark(Description = "Layer norms, hand-written loop")]
    public double HandWrittenLayerNorms()
    {
        // What a user writes: per parameter, the gradient, weight, previous-weight and update norms, each read with item(),
        // then a copy of the weights for the next update.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _values.Clear();
        for (var i = 0; i < _handWritten.Length; i++)
        {
            var (layer, parameter, before) = _handWritten[i];
            var g = parameter.grad!.norm().item<float>();
            var w = parameter.norm().item<float>();
            var b = before.norm().item<float>();
            var u = (parameter - before).norm().item<float>();
            _values[layer] = _values.GetValueOrDefault(layer) + (g * g) + (w * w) + (u * u / Math.Max(b * b, 1e-30f));

            // Keep the weights for the next update, as LayerStatistics does with its snapshot.
            before.Dispose();
            _handWritten[i].Before = parameter.detach().clone().DetachFromDisposeScope();
        }

        return _values.Count;
    }

    [Benchmark(Description = "Layer norms, LayerStatistics")]
    public double LayerStatistics()
    {
        _values.Clear();
        _collector.Collect(_values);
        _collector.Snapshot();
        return _values.Count;
    }
}
