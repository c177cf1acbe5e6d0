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
/// <para>
/// All methods are meant for the training thread. Telemetry never throws into the loop: a metric that cannot be read
/// is skipped and counted in <see cref="TelemetryErrors"/>. Only sampled steps (see <see cref="TorchMonitorOptions.MetricsInterval"/>)
/// read tensors; the hooks copy scalars out and keep no tensor. Unsampled steps allocate nothing.
/// </para>
/// <para>
/// Fetch each batch before calling <see cref="WaitForStepBoundary"/>: the time from the end of one step to that call is
/// reported as <c>data_time</c>, the rest of the step as <c>compute_time</c>.
/// </para>
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
    private readonly LayerStatisticsCollector? _layers;
    private readonly ActivationMonitor? _activations;
    private readonly string[] _groupRateNames;

    // Copied when the run is attached: the options object may be shared by several sessions and changed later.
    private readonly int _metricsInterval;
    private readonly int _statisticsInterval;
    private readonly bool _earlyStoppingOnAccuracy;
    private readonly double _earlyStoppingMinDelta;

    private long _step;
    private int _epoch;
    private int _batch;
    private long _windowStart;
    private long _windowSamples;
    private int _windowSteps;
    private long _lastStepEnd;
    private long _windowDataTicks;
    private int _windowBoundaries;
    private bool _inStep;
    private double _epochLossSum;
    private int _epochLossCount;
    private double _bestAccuracy = double.NaN;
    private string? _epochCheckpoint;
    private bool _stopRequested;
    private string? _stopReason;
    private bool _finished;
    private long _telemetryErrors;
    private int _earlyStoppingPatience;
    private double _earlyStoppingBest = double.NaN;
    private int _earlyStoppingBestEpoch;
    private int _validationsWithoutImprovement;
    private bool _usesStepBoundaries;
    private long _preparedForStep;

    // Work that ends with the run (the TensorBoard writer): Finish disposes it, which waits a bounded time for it.
    internal IDisposable? Companion { get; init; }

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
        _metricsInterval = options.MetricsInterval;
        _statisticsInterval = options.StatisticsInterval;
        _earlyStoppingPatience = options.EarlyStopping?.Patience ?? 0;
        _earlyStoppingOnAccuracy = options.EarlyStopping?.Metric == EarlyStoppingMetric.ValidationAccuracy;
        _earlyStoppingMinDelta = options.EarlyStopping?.MinDelta ?? 0;
        _groupRateNames = RateNames(optimizer);
        if (options.CheckpointDirectory is { } root)
        {
            try
            {
                CheckpointDirectory = Path.Combine(Path.GetFullPath(root), RunFolder.Name(run.Id));
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A path the system refuses: checkpoint commands are rejected as if none was set.
                Interlocked.Increment(ref _telemetryErrors);
            }
        }

        // Statistics are telemetry: without them the run still trains. Each kind fails on its own.
        if (options.LayerStatistics)
        {
            try
            {
                _layers = new LayerStatisticsCollector(model);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _telemetryErrors);
            }
        }

        if (options.ActivationStatistics)
        {
            try
            {
                _activations = new ActivationMonitor(model);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _telemetryErrors);
            }
        }

        // The first step is a statistics step: keep the weights it starts from and let the hooks compute.
        PrepareStatistics(1);

        _windowStart = Stopwatch.GetTimestamp();
        _lastStepEnd = _windowStart;
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

    /// <summary>
    /// Gets whether a <see cref="ControlAction.SetLearningRate"/> command has set the learning rate. A loop with its own
    /// learning-rate schedule should stop applying it from then on, so that it does not overwrite the set rate (even one
    /// equal to the scheduled rate of the moment).
    /// </summary>
    public bool LearningRateOverridden { get; private set; }

    /// <summary>Gets how many metric readings failed and were skipped.</summary>
    public long TelemetryErrors => Interlocked.Read(ref _telemetryErrors) + (_activations?.Errors ?? 0);

    /// <summary>
    /// Gets or sets the validation pass that a <see cref="ControlAction.Evaluate"/> command runs at a step boundary, on the
    /// training thread; afterwards the session puts the model back in the mode it was in. Its result is published as <c>val_loss</c> and
    /// <c>val_accuracy</c> and does not count towards early-stopping patience. When <see langword="null"/>, evaluate
    /// commands are rejected. The default is <see langword="null"/>.
    /// </summary>
    public Func<ValidationResult>? Evaluator { get; set; }

    /// <summary>
    /// Gets the directory this run's checkpoints go to (<see cref="TorchMonitorOptions.CheckpointDirectory"/> plus the
    /// run's id, as a full path), or <see langword="null"/> when checkpoints are off.
    /// </summary>
    public string? CheckpointDirectory { get; }

    /// <summary>
    /// Applies pending control commands at a step boundary. While the run is paused, blocks the training thread until it
    /// is resumed, stopped or <paramref name="cancellationToken"/> is cancelled. Costs a clock read and a volatile read when
    /// nothing is pending. Before a statistics step it also copies the weights (with <see cref="TorchMonitorOptions.LayerStatistics"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancellation stops the run, like a stop command.</param>
    /// <returns><see langword="true"/> to run the next step; <see langword="false"/> when the loop must end.</returns>
    public bool WaitForStepBoundary(CancellationToken cancellationToken = default)
    {
        ThrowIfFinished();
        _usesStepBoundaries = true;
        if (!_inStep)
        {
            // The time since the last step ended went into getting this step's batch.
            _inStep = true;
            _windowBoundaries++;
            _windowDataTicks += Stopwatch.GetTimestamp() - _lastStepEnd;
        }

        if (cancellationToken.IsCancellationRequested)
        {
            RequestStop();
            return false;
        }

        var applied = false;
        while (_receiver.TryTake(out var command))
        {
            Apply(command);
            applied = true;
        }

        if (applied && State != RunState.Paused)
        {
            // A checkpoint or an evaluation is not step time.
            ResetWindow();
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

        // Arm the statistics only now, after any evaluation, so that validation passes are never measured.
        if (!_stopRequested)
        {
            PrepareStatistics(_step + 1);
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
            batchSize = target.dim() > 0 ? target.size(0) : 1;
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

        ObserveValidation(validationLoss, validationAccuracy);
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

    /// <summary>
    /// Ends the run normally: <see cref="RunState.Completed"/>, or <see cref="RunState.Stopped"/> when a stop was requested
    /// (by a command, by cancellation or by early stopping). With <see cref="TorchMonitorOptions.CheckpointDirectory"/> set,
    /// first writes the final checkpoint (<c>final.pt</c>).
    /// </summary>
    public void Complete()
    {
        Finish(_stopRequested ? RunState.Stopped : RunState.Completed, _stopReason, writeFinalCheckpoint: true);
    }

    /// <summary>Ends the run as failed.</summary>
    /// <param name="exception">What went wrong; the event's message is its type name and the first line of its message.</param>
    public void Fail(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        Finish(RunState.Failed, $"{exception.GetType().Name}: {ExceptionText.FirstLine(exception.Message)}", writeFinalCheckpoint: false);
    }

    /// <summary>
    /// Detaches the run from control and removes the hooks; a run not yet completed or failed ends as
    /// <see cref="RunState.Stopped"/> (with its final checkpoint when a stop had been requested).
    /// </summary>
    public void Dispose()
    {
        if (!_finished)
        {
            Finish(
                RunState.Stopped,
                _stopRequested ? _stopReason : "The training loop ended without calling Complete().",
                writeFinalCheckpoint: _stopRequested);
        }
    }

    internal void CountTelemetryError() => Interlocked.Increment(ref _telemetryErrors);

    private void RecordStepCore(Tensor loss, Tensor? output, Tensor? target, long batchSize)
    {
        ThrowIfFinished();
        _step++;
        _batch++;
        _windowSteps++;
        _windowSamples += batchSize;
        var statistics = (_layers is not null || _activations is not null) && IsStatisticsStep(_step);
        if (_step == 1 || _step % _metricsInterval == 0 || statistics)
        {
            try
            {
                PublishSampledStep(loss, output, target, statistics);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _telemetryErrors);
            }
            finally
            {
                if (statistics && _activations is not null)
                {
                    // Whatever happened, the hooks go quiet until the next statistics step.
                    _activations.Armed = false;
                }
            }
        }

        // A loop that never calls WaitForStepBoundary gets its statistics armed here, at the end of the step before.
        if (!_usesStepBoundaries)
        {
            PrepareStatistics(_step + 1);
        }

        _inStep = false;
        _lastStepEnd = Stopwatch.GetTimestamp();
    }

    private bool IsStatisticsStep(long step) => step == 1 || step % _statisticsInterval == 0;

    /// <summary>Before statistics step <paramref name="step"/>: keep the weights it starts from, and arm the activation hooks.</summary>
    private void PrepareStatistics(long step)
    {
        if ((_layers is null && _activations is null) || !IsStatisticsStep(step) || _preparedForStep == step)
        {
            return;
        }

        _preparedForStep = step;
        try
        {
            if (_activations is not null)
            {
                _activations.Armed = true;
            }

            _layers?.Snapshot();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _telemetryErrors);
        }
    }

    private void PublishSampledStep(Tensor loss, Tensor? output, Tensor? target, bool statistics)
    {
        var now = Stopwatch.GetTimestamp();
        var seconds = Stopwatch.GetElapsedTime(_windowStart, now).TotalSeconds;
        var values = new Dictionary<string, double>(statistics ? 64 : 16, StringComparer.Ordinal);
        if (statistics && _activations is not null)
        {
            _activations.Armed = false;
            _activations.Collect(values);
        }

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

            if (statistics && _layers is not null)
            {
                _layers.Collect(values);
            }
            else if (_options.GradientNorm)
            {
                values[MetricNames.GradientNorm] = TensorStatistics.GlobalGradientNorm(_model);
            }
        }

        AddLearningRates(values);
        if (seconds > 0 && _windowSteps > 0)
        {
            var batchTime = seconds / _windowSteps;
            values[MetricNames.BatchTime] = batchTime;
            if (_windowBoundaries == _windowSteps)
            {
                // Every step of the window passed WaitForStepBoundary, so the data/compute split covers the window.
                var dataTime = Math.Min(batchTime, Stopwatch.GetElapsedTime(0, _windowDataTicks).TotalSeconds / _windowSteps);
                values[MetricNames.DataTime] = dataTime;
                values[MetricNames.ComputeTime] = batchTime - dataTime;
            }

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
        _windowBoundaries = 0;
        _windowDataTicks = 0;
        _bus.TryPublish(new MetricEvent(Run, _step, values)
        {
            Epoch = _epoch == 0 ? null : _epoch,
            Batch = _epoch == 0 ? null : _batch,
        });
    }

    private void AddLearningRates(Dictionary<string, double> values)
    {
        var index = 0;
        foreach (var group in _optimizer.ParamGroups)
        {
            if (index == 0)
            {
                values[MetricNames.LearningRate] = group.LearningRate;
            }

            if (index < _groupRateNames.Length)
            {
                values[_groupRateNames[index]] = group.LearningRate;
            }

            index++;
        }
    }

    /// <summary>With several parameter groups, each also gets <c>learning_rate/group&lt;i&gt;</c> (0-based).</summary>
    private static string[] RateNames(optim.Optimizer optimizer)
    {
        var count = optimizer.ParamGroups.Count();
        return count < 2 ? [] : [.. Enumerable.Range(0, count).Select(i => MetricNames.ForLayer(MetricNames.LearningRate, "group" + i.ToString(CultureInfo.InvariantCulture)))];
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
            (ControlAction.SaveCheckpoint, _) => SaveCheckpointNow(),
            (ControlAction.Evaluate, _) => EvaluateNow(),
            (ControlAction.SetEarlyStopping, _) => SetEarlyStopping(command.Value),
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

        LearningRateOverridden = true;
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
        return (ControlStatus.Applied, CheckpointDirectory is null
            ? "The run stops at this step boundary."
            : "The run stops at this step boundary and writes its final checkpoint.");
    }

    private (ControlStatus, string?) SaveCheckpointNow()
    {
        if (CheckpointDirectory is not { } folder)
        {
            return (ControlStatus.Rejected, "Checkpoints are off for this run: no checkpoint directory is set (TorchMonitorOptions.CheckpointDirectory).");
        }

        var path = Path.Combine(folder, $"step-{_step.ToString("D8", CultureInfo.InvariantCulture)}.pt");
        if (TryWriteCheckpoint(path) is { } error)
        {
            return (ControlStatus.Rejected, $"The checkpoint could not be written to '{path}': {error} Training continues.");
        }

        return (ControlStatus.Applied, $"Checkpoint written to '{path}'.");
    }

    /// <summary>Writes a checkpoint and publishes <see cref="TrainingEventKind.CheckpointSaved"/>; returns the error, or null.</summary>
    private string? TryWriteCheckpoint(string path)
    {
        try
        {
            TrainingCheckpoint.Save(_model, path, _optimizer);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return ExceptionText.FirstLine(ex.Message);
        }

        _epochCheckpoint = path;
        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.CheckpointSaved)
        {
            Epoch = _epoch == 0 ? null : _epoch,
            Step = _step,
            CheckpointPath = path,
        });
        return null;
    }

    private (ControlStatus, string?) EvaluateNow()
    {
        if (Evaluator is not { } evaluator)
        {
            return (ControlStatus.Rejected, "This training loop cannot evaluate on request (TrainingSession.Evaluator is not set).");
        }

        ValidationResult result;
        var wasTraining = _model.training;
        try
        {
            result = evaluator();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return (ControlStatus.Rejected, $"The evaluation failed: {ex.GetType().Name}: {ExceptionText.FirstLine(ex.Message)} Training continues.");
        }
        finally
        {
            // Whatever the evaluator did, training resumes in the mode it was in.
            _model.train(wasTraining);
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        var parts = new List<string>(2);
        if (result.Loss is { } loss)
        {
            values[MetricNames.ValLoss] = loss;
            parts.Add($"val_loss {loss.ToString("G6", CultureInfo.InvariantCulture)}");
        }

        if (result.Accuracy is { } accuracy)
        {
            values[MetricNames.ValAccuracy] = accuracy;
            if (double.IsNaN(_bestAccuracy) || accuracy > _bestAccuracy)
            {
                _bestAccuracy = accuracy;
            }

            values[MetricNames.BestAccuracy] = _bestAccuracy;
            parts.Add($"val_accuracy {accuracy.ToString("G6", CultureInfo.InvariantCulture)}");
        }

        if (values.Count > 0)
        {
            _bus.TryPublish(new MetricEvent(Run, _step, values) { Epoch = _epoch == 0 ? null : _epoch });
        }

        return (ControlStatus.Applied, parts.Count == 0
            ? $"Evaluated at step {_step}; the evaluator returned no values."
            : $"Evaluated at step {_step}: {string.Join(", ", parts)}.");
    }

    private (ControlStatus, string?) SetEarlyStopping(double? value)
    {
        if (value is not { } patience || !double.IsFinite(patience) || patience < 0 || patience > EarlyStoppingOptions.MaxPatience
            || Math.Floor(patience) != patience)
        {
            return (ControlStatus.Rejected, $"The early-stopping patience must be a whole number from 0 (off) to {EarlyStoppingOptions.MaxPatience.ToString("N0", CultureInfo.InvariantCulture)}; got {Describe(value)}. Nothing was changed.");
        }

        _earlyStoppingPatience = (int)patience;
        if (_earlyStoppingPatience == 0)
        {
            return (ControlStatus.Applied, "Early stopping is off.");
        }

        var best = double.IsNaN(_earlyStoppingBest)
            ? "no validation yet"
            : $"best {_earlyStoppingBest.ToString("G6", CultureInfo.InvariantCulture)} at epoch {_earlyStoppingBestEpoch}";
        return (ControlStatus.Applied,
            $"Early stopping on {EarlyStoppingMetricName} with patience {_earlyStoppingPatience}: {_validationsWithoutImprovement} epoch-end validation(s) without improvement so far ({best}).");
    }

    private string EarlyStoppingMetricName => _earlyStoppingOnAccuracy ? MetricNames.ValAccuracy : MetricNames.ValLoss;

    /// <summary>Tracks the early-stopping metric at an epoch end; stops the run when patience has run out.</summary>
    private void ObserveValidation(double? validationLoss, double? validationAccuracy)
    {
        var maximize = _earlyStoppingOnAccuracy;
        if ((maximize ? validationAccuracy : validationLoss) is not { } value)
        {
            return;
        }

        var minDelta = _earlyStoppingMinDelta;

        // NaN (a diverged run) never improves.
        var improved = !double.IsNaN(value) && (double.IsNaN(_earlyStoppingBest)
            || (maximize ? value > _earlyStoppingBest + minDelta : value < _earlyStoppingBest - minDelta));
        if (improved)
        {
            _earlyStoppingBest = value;
            _earlyStoppingBestEpoch = _epoch;
            _validationsWithoutImprovement = 0;
            return;
        }

        _validationsWithoutImprovement++;
        if (_earlyStoppingPatience > 0 && _validationsWithoutImprovement >= _earlyStoppingPatience && !_stopRequested)
        {
            var best = double.IsNaN(_earlyStoppingBest)
                ? "no valid value yet"
                : $"best {_earlyStoppingBest.ToString("G6", CultureInfo.InvariantCulture)} at epoch {_earlyStoppingBestEpoch}";
            RequestStop();
            _stopReason = $"Early stopping: {EarlyStoppingMetricName} has not improved by more than {minDelta.ToString("G6", CultureInfo.InvariantCulture)} for {_validationsWithoutImprovement} epoch-end validations ({best}).";
        }
    }


    private void RequestStop()
    {
        _stopRequested = true;
        State = RunState.Stopped;
    }

    private void ResetWindow()
    {
        _windowStart = Stopwatch.GetTimestamp();
        _lastStepEnd = _windowStart;
        _windowSteps = 0;
        _windowSamples = 0;
        _windowDataTicks = 0;

        // Inside a step boundary the coming step has passed it already.
        _windowBoundaries = _inStep ? 1 : 0;
    }

    private void Finish(RunState state, string? message, bool writeFinalCheckpoint)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        State = state;
        _activations?.Dispose();
        _layers?.Dispose();
        string? finalCheckpoint = null;
        if (writeFinalCheckpoint && CheckpointDirectory is { } folder)
        {
            var path = Path.Combine(folder, "final.pt");
            if (TryWriteCheckpoint(path) is { } error)
            {
                Interlocked.Increment(ref _telemetryErrors);
                message = $"{(message is null ? string.Empty : message + " ")}The final checkpoint could not be written to '{path}': {error}";
            }
            else
            {
                finalCheckpoint = path;
            }
        }

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
            CheckpointPath = finalCheckpoint,
        });
        Companion?.Dispose();
    }

    private void ThrowIfFinished()
    {
        if (_finished)
        {
            throw new InvalidOperationException($"Run '{Run.Id}' has already finished.");
        }
    }
}
