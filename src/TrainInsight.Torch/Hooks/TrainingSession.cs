using System.Diagnostics;
using System.Globalization;
using TrainInsight.Torch.Internal;
using static TorchSharp.torch;
using Modules = TorchSharp.Modules;

namespace TrainInsight.Torch;

/// <summary>
/// One monitored run of a TorchSharp training loop. Call <see cref="WaitForStepBoundary"/> before each step,
/// <c>RecordStep</c> after it, <see cref="BeginEpoch"/>/<see cref="RecordEpoch"/> around epochs and
/// <see cref="Complete"/> at the end; dispose it when the loop exits.
/// </summary>
/// <remarks>
/// All methods are meant for the training thread. Telemetry never throws into the loop: a metric that cannot be read
/// is skipped and counted in <see cref="TelemetryErrors"/>. Only sampled steps (see <see cref="TorchMonitorOptions.MetricsInterval"/>)
/// read tensors; the hooks copy scalars out and keep no tensor.
/// </remarks>
public sealed class TrainingSession : IDisposable
{
    /// <summary>The largest learning rate a <see cref="ControlAction.SetLearningRate"/> command may set: 10.</summary>
    public const double MaxLearningRate = 10;

    /// <summary>The largest weight decay a <see cref="ControlAction.SetWeightDecay"/> command may set: 1.</summary>
    public const double MaxWeightDecay = 1;

    private const double BytesPerGiB = 1024d * 1024 * 1024;
    private static readonly TimeSpan s_pausePoll = TimeSpan.FromSeconds(1);

    private readonly ITelemetryBus _bus;
    private readonly IControlReceiver _receiver;
    private readonly nn.Module _model;
    private readonly optim.Optimizer _optimizer;
    private readonly TorchMonitorOptions _options;
    private readonly GpuMonitor? _gpu;

    private long _step;
    private int _epoch;
    private int _batch;
    private long _windowStart;
    private long _windowSamples;
    private int _windowSteps;
    private double _epochLossSum;
    private int _epochLossCount;
    private double _bestAccuracy = double.NaN;
    private string? _epochCheckpoint;
    private bool _stopRequested;
    private bool _finished;
    private long _telemetryErrors;

    internal TrainingSession(
        ITelemetryBus bus, IControlReceiver receiver, nn.Module model, optim.Optimizer optimizer, RunDescriptor run, TorchMonitorOptions options)
        : this(bus, receiver, model, optimizer, run, options, options.GpuMetrics ? GpuMonitor.Default : null)
    {
    }

    internal TrainingSession(
        ITelemetryBus bus, IControlReceiver receiver, nn.Module model, optim.Optimizer optimizer, RunDescriptor run, TorchMonitorOptions options,
        GpuMonitor? gpu)
    {
        _gpu = gpu;
        _bus = bus;
        _receiver = receiver;
        _model = model;
        _optimizer = optimizer;
        _options = options;
        Run = run;
        State = RunState.Training;
        _windowStart = Stopwatch.GetTimestamp();
        _bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
    }

    /// <summary>Gets the run.</summary>
    public RunDescriptor Run { get; }

    /// <summary>Gets the run's state.</summary>
    public RunState State { get; private set; }

    /// <summary>Gets the number of optimizer steps recorded so far.</summary>
    public long Step => _step;

    /// <summary>Gets the current epoch (1-based), or 0 before <see cref="BeginEpoch"/>.</summary>
    public int Epoch => _epoch;

    /// <summary>Gets whether a stop was requested (by a command or by cancellation); the loop should end.</summary>
    public bool StopRequested => _stopRequested;

    /// <summary>Gets how many metric readings failed and were skipped.</summary>
    public long TelemetryErrors => Interlocked.Read(ref _telemetryErrors);

    /// <summary>
    /// Applies pending control commands at a step boundary. While the run is paused, blocks the training thread until it
    /// is resumed, stopped or <paramref name="cancellationToken"/> is cancelled. Costs one volatile read when nothing is pending.
    /// </summary>
    /// <param name="cancellationToken">Cancellation stops the run, like a stop command.</param>
    /// <returns><see langword="true"/> to run the next step; <see langword="false"/> when the loop must end.</returns>
    public bool WaitForStepBoundary(CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        if (cancellationToken.IsCancellationRequested)
        {
            RequestStop();
            return false;
        }

        while (_receiver.TryTake(out var command))
        {
            Apply(command);
        }

        if (State == RunState.Paused)
        {
            while (State == RunState.Paused)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    RequestStop();
                    break;
                }

                if (_receiver.WaitForCommand(s_pausePoll, cancellationToken))
                {
                    while (_receiver.TryTake(out var command))
                    {
                        Apply(command);
                    }
                }
            }

            // Time spent paused is not step time.
            ResetWindow();
        }

        return !_stopRequested;
    }

    /// <summary>Marks the start of an epoch.</summary>
    /// <param name="epoch">The epoch number, 1-based.</param>
    public void BeginEpoch(int epoch)
    {
        ThrowIfFinished();
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        _epoch = epoch;
        _batch = 0;
        _epochLossSum = 0;
        _epochLossCount = 0;
        _epochCheckpoint = null;
        ResetWindow();
    }

    /// <summary>Records a finished classification step: loss, batch accuracy, learning rate, throughput (on sampled steps).</summary>
    /// <param name="loss">The step's scalar loss.</param>
    /// <param name="output">The model's logits, shaped [batch, classes].</param>
    /// <param name="target">The class labels, shaped [batch].</param>
    public void RecordStep(Tensor loss, Tensor output, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        long batchSize;
        try
        {
            batchSize = target.shape.Length > 0 ? target.shape[0] : 1;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A disposed target: the step still counts, without samples.
            Interlocked.Increment(ref _telemetryErrors);
            batchSize = 0;
        }

        RecordStepCore(loss, output, target, batchSize);
    }

    /// <summary>Records a finished step of any task: loss, learning rate, throughput (on sampled steps).</summary>
    /// <param name="loss">The step's scalar loss.</param>
    /// <param name="batchSize">How many samples the step used.</param>
    public void RecordStep(Tensor loss, long batchSize)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        RecordStepCore(loss, null, null, batchSize);
    }

    /// <summary>Records the end of the current epoch with its validation results; publishes a metric update and an epoch event.</summary>
    /// <param name="validationLoss">The validation loss, or <see langword="null"/> when not evaluated.</param>
    /// <param name="validationAccuracy">The validation accuracy (0..1), or <see langword="null"/>.</param>
    public void RecordEpoch(double? validationLoss = null, double? validationAccuracy = null)
    {
        ThrowIfFinished();
        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_epochLossCount > 0)
        {
            metrics[MetricNames.TrainLoss] = _epochLossSum / _epochLossCount;
        }

        if (validationLoss is { } valLoss)
        {
            metrics[MetricNames.ValLoss] = valLoss;
        }

        if (validationAccuracy is { } valAccuracy)
        {
            metrics[MetricNames.ValAccuracy] = valAccuracy;
            if (double.IsNaN(_bestAccuracy) || valAccuracy > _bestAccuracy)
            {
                _bestAccuracy = valAccuracy;
            }
        }

        if (!double.IsNaN(_bestAccuracy))
        {
            metrics[MetricNames.BestAccuracy] = _bestAccuracy;
        }

        var epoch = _epoch == 0 ? (int?)null : _epoch;
        if (validationLoss is not null || validationAccuracy is not null)
        {
            var values = new Dictionary<string, double>(StringComparer.Ordinal);
            if (validationLoss is { } vl)
            {
                values[MetricNames.ValLoss] = vl;
            }

            if (validationAccuracy is { } va)
            {
                values[MetricNames.ValAccuracy] = va;
                values[MetricNames.BestAccuracy] = _bestAccuracy;
            }

            _bus.TryPublish(new MetricEvent(Run, _step, values) { Epoch = epoch });
        }

        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.EpochCompleted)
        {
            Epoch = epoch,
            Step = _step,
            State = State,
            Metrics = metrics,
            CheckpointPath = _epochCheckpoint,
        });
    }

    /// <summary>Records that a checkpoint was written.</summary>
    /// <param name="path">Where it was written.</param>
    public void RecordCheckpoint(string path)
    {
        ThrowIfFinished();
        ArgumentException.ThrowIfNullOrEmpty(path);
        _epochCheckpoint = path;
        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.CheckpointSaved)
        {
            Epoch = _epoch == 0 ? null : _epoch,
            Step = _step,
            CheckpointPath = path,
        });
    }

    /// <summary>Ends the run normally: <see cref="RunState.Completed"/>, or <see cref="RunState.Stopped"/> when a stop was requested.</summary>
    public void Complete() => Finish(_stopRequested ? RunState.Stopped : RunState.Completed, null);

    /// <summary>Ends the run as failed.</summary>
    /// <param name="exception">What went wrong; the event's message is its type name and the first line of its message.</param>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        // TorchSharp's native errors append the whole C++ backtrace (with library paths) to the message: keep the first line.
        var message = exception.Message;
        var lineEnd = message.AsSpan().IndexOfAny('\r', '\n');
        Finish(RunState.Failed, $"{exception.GetType().Name}: {(lineEnd < 0 ? message : message[..lineEnd])}");
    }

    /// <summary>Detaches the run from control; a run not yet completed or failed ends as <see cref="RunState.Stopped"/>.</summary>
    public void Dispose()
    {
        if (!_finished)
        {
            Finish(RunState.Stopped, _stopRequested ? null : "The training loop ended without calling Complete().");
        }
    }

    private void RecordStepCore(Tensor loss, Tensor? output, Tensor? target, long batchSize)
    {
        ThrowIfFinished();
        _step++;
        _batch++;
        _windowSteps++;
        _windowSamples += batchSize;
        if (_step != 1 && _step % _options.MetricsInterval != 0)
        {
            return;
        }

        try
        {
            PublishSampledStep(loss, output, target);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _telemetryErrors);
        }
    }

    private void PublishSampledStep(Tensor loss, Tensor? output, Tensor? target)
    {
        var now = Stopwatch.GetTimestamp();
        var seconds = Stopwatch.GetElapsedTime(_windowStart, now).TotalSeconds;
        var values = new Dictionary<string, double>(16, StringComparer.Ordinal);
        using (NewDisposeScope())
        {
            var lossValue = loss.detach().cpu().to_type(ScalarType.Float64).item<double>();
            values[MetricNames.TrainLoss] = lossValue;
            _epochLossSum += lossValue;
            _epochLossCount++;
            if (output is not null && target is not null && output.shape.Length == 2)
            {
                var correct = output.argmax(1).eq(target).sum().cpu().item<long>();
                values[MetricNames.TrainAccuracy] = (double)correct / target.shape[0];
            }

            if (_options.GradientNorm)
            {
                values[MetricNames.GradientNorm] = TensorStatistics.GlobalGradientNorm(_model);
            }
        }

        foreach (var group in _optimizer.ParamGroups)
        {
            values[MetricNames.LearningRate] = group.LearningRate;
            break;
        }

        if (seconds > 0 && _windowSteps > 0)
        {
            var batchTime = seconds / _windowSteps;
            values[MetricNames.BatchTime] = batchTime;
            values[MetricNames.StepsPerSecond] = _windowSteps / seconds;
            values[MetricNames.SamplesPerSecond] = _windowSamples / seconds;
            if (Run.TotalEpochs is { } totalEpochs && Run.StepsPerEpoch is { } perEpoch && _epoch > 0)
            {
                var remaining = ((long)totalEpochs * perEpoch) - (((long)(_epoch - 1) * perEpoch) + _batch);
                values[MetricNames.EtaSeconds] = Math.Max(0, remaining) * batchTime;
            }
        }

        AddMemoryMetrics(values);
        _windowStart = now;
        _windowSteps = 0;
        _windowSamples = 0;
        _bus.TryPublish(new MetricEvent(Run, _step, values)
        {
            Epoch = _epoch == 0 ? null : _epoch,
            Batch = _epoch == 0 ? null : _batch,
        });
    }

    private void AddMemoryMetrics(Dictionary<string, double> values)
    {
        values[MetricNames.ProcessMemory] = Environment.WorkingSet / BytesPerGiB;
        values[MetricNames.ManagedMemory] = GC.GetTotalMemory(forceFullCollection: false) / BytesPerGiB;

        // NVML reads driver counters: no device synchronisation. Without NVML the GPU metrics are left out, not zero.
        if (_gpu is not null && _gpu.TryRead(_options.GpuDeviceIndex, out var reading))
        {
            values[MetricNames.GpuMemoryUsed] = reading.MemoryUsedGiB;
            values[MetricNames.GpuMemoryTotal] = reading.MemoryTotalGiB;
            if (reading.Utilization is { } utilization)
            {
                values[MetricNames.GpuUtilization] = utilization;
            }
        }
    }

    private void Apply(ControlCommand command)
    {
        (ControlStatus status, string? message) = (command.Action, State) switch
        {
            (_, _) when _stopRequested => (ControlStatus.Rejected, "The run is stopping."),
            (ControlAction.Pause, RunState.Training) => Transition(RunState.Paused),
            (ControlAction.Pause, _) => (ControlStatus.Rejected, "The run is already paused."),
            (ControlAction.Resume, RunState.Paused) => Transition(RunState.Training),
            (ControlAction.Resume, _) => (ControlStatus.Rejected, "The run is not paused."),
            (ControlAction.Stop, _) => StopFromCommand(),
            (ControlAction.SetLearningRate, _) => SetLearningRate(command.Value),
            (ControlAction.SetWeightDecay, _) => SetWeightDecay(command.Value),
            _ => (ControlStatus.Rejected, $"Unsupported action {command.Action}."),
        };

        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.ControlApplied)
        {
            Command = command,
            ControlStatus = status,
            Message = message,
            State = State,
            Step = _step,
            Epoch = _epoch == 0 ? null : _epoch,
        });
    }

    private (ControlStatus, string?) Transition(RunState next)
    {
        State = next;
        return (ControlStatus.Applied, null);
    }

    private (ControlStatus, string?) SetLearningRate(double? value)
    {
        if (value is not { } rate || !double.IsFinite(rate) || rate <= 0 || rate > MaxLearningRate)
        {
            return (ControlStatus.Rejected, $"The learning rate must be a finite number greater than 0 and at most {MaxLearningRate.ToString(CultureInfo.InvariantCulture)}; got {Describe(value)}. Nothing was changed.");
        }

        foreach (var group in _optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }

        return (ControlStatus.Applied, $"Learning rate set to {rate.ToString("R", CultureInfo.InvariantCulture)} from the next step.");
    }

    private (ControlStatus, string?) SetWeightDecay(double? value)
    {
        if (value is not { } decay || !double.IsFinite(decay) || decay < 0 || decay > MaxWeightDecay)
        {
            return (ControlStatus.Rejected, $"The weight decay must be a finite number from 0 to {MaxWeightDecay.ToString(CultureInfo.InvariantCulture)}; got {Describe(value)}. Nothing was changed.");
        }

        // Check every group first, so that the change is all or nothing.
        var groups = _optimizer.ParamGroups.Select(g => (g as Modules.ParamGroup)?.Options).ToList();
        if (groups.Count == 0 || !groups.TrueForAll(HasWeightDecay))
        {
            return (ControlStatus.Rejected, $"Setting the weight decay is supported for Adam, AdamW and SGD optimizers only; this optimizer is {_optimizer.GetType().Name}. Nothing was changed.");
        }

        foreach (var options in groups)
        {
            switch (options)
            {
                case Modules.Adam.Options adam:
                    adam.weight_decay = decay;
                    break;
                case Modules.AdamW.Options adamW:
                    adamW.weight_decay = decay;
                    break;
                case Modules.SGD.Options sgd:
                    sgd.weight_decay = decay;
                    break;
            }
        }

        return (ControlStatus.Applied, $"Weight decay set to {decay.ToString("R", CultureInfo.InvariantCulture)} from the next step.");
    }

    private static bool HasWeightDecay(Modules.OptimizerOptions? options) =>
        options is Modules.Adam.Options or Modules.AdamW.Options or Modules.SGD.Options;

    private static string Describe(double? value) =>
        value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "no value";

    private (ControlStatus, string?) StopFromCommand()
    {
        _stopRequested = true;
        State = RunState.Stopped;
        return (ControlStatus.Applied, "The run stops at this step boundary.");
    }

    private void RequestStop()
    {
        _stopRequested = true;
        State = RunState.Stopped;
    }

    private void ResetWindow()
    {
        _windowStart = Stopwatch.GetTimestamp();
        _windowSteps = 0;
        _windowSamples = 0;
    }

    private void Finish(RunState state, string? message)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        State = state;

        // Detach first, so no new command can be queued; then answer every command still queued, so that each
        // accepted command gets its acknowledgement, before the run's last event.
        _receiver.Dispose();
        while (_receiver.TryTake(out var pending))
        {
            _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.ControlApplied)
            {
                Command = pending,
                ControlStatus = ControlStatus.Rejected,
                Message = "The run has finished.",
                State = state,
                Step = _step,
                Epoch = _epoch == 0 ? null : _epoch,
            });
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!double.IsNaN(_bestAccuracy))
        {
            metrics[MetricNames.BestAccuracy] = _bestAccuracy;
        }

        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.RunFinished)
        {
            State = state,
            Step = _step,
            Epoch = _epoch == 0 ? null : _epoch,
            Metrics = metrics,
            Message = message,
        });
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException($"Run '{Run.Id}' has already finished.");
        }
    }
}
