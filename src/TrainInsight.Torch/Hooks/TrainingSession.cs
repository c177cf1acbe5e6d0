using TrainInsight.Torch.Internal;
using static TorchSharp.torch;

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
    public const double MaxLearningRate = ControlCommand.MaxLearningRate;

    /// <summary>The largest weight decay a <see cref="ControlAction.SetWeightDecay"/> command may set: 1.</summary>
    public const double MaxWeightDecay = 1;

    private readonly ITelemetryBus _bus;
    private readonly IControlReceiver _receiver;
    private readonly SessionState _session = new();
    private readonly SessionStatistics _statistics;
    private readonly StepWindow _window;
    private readonly StepMetrics _stepMetrics;
    private readonly EarlyStopper _earlyStopping;
    private readonly BestAccuracy _bestAccuracy = new();
    private readonly SessionCommands _commands;

    // Copied when the run is attached: the options object may be shared by several sessions and changed later.
    private readonly int _metricsInterval;

    private readonly EpochLoss _epochLoss = new();
    private readonly InputStatistics _input = new();
    private bool _finished;
    private long _telemetryErrors;
    private bool _usesStepBoundaries;

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
        _bus = bus;
        _receiver = receiver;
        Run = run;
        _metricsInterval = options.MetricsInterval;
        _earlyStopping = new EarlyStopper(options.EarlyStopping);
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

        _commands = new SessionCommands(bus, run, _session, model, optimizer, _earlyStopping, _bestAccuracy, CheckpointDirectory);
        _window = new StepWindow(options.EtaWindowSteps);
        _statistics = new SessionStatistics(model, options);
        _stepMetrics = new StepMetrics(model, optimizer, _statistics, _window, gpu, options);

        // The first step is a statistics step: keep the weights it starts from and let the hooks compute.
        _statistics.Prepare(1);
        _bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
    }

    /// <summary>Gets the run.</summary>
    public RunDescriptor Run { get; }

    /// <summary>Gets the run's state.</summary>
    public RunState State => _session.State;

    /// <summary>Gets the number of optimizer steps recorded so far.</summary>
    public long Step => _session.Step;

    /// <summary>Gets the current epoch (1-based), or 0 before <see cref="BeginEpoch"/>.</summary>
    public int Epoch => _session.Epoch;

    /// <summary>Gets whether a stop was requested (by a command or by cancellation); the loop should end.</summary>
    public bool StopRequested => _session.StopRequested;

    /// <summary>
    /// Gets whether a <see cref="ControlAction.SetLearningRate"/> command has set the learning rate. A loop with its own
    /// learning-rate schedule should stop applying it from then on, so that it does not overwrite the set rate (even one
    /// equal to the scheduled rate of the moment).
    /// </summary>
    public bool LearningRateOverridden => _session.LearningRateOverridden;

    /// <summary>Gets how many metric readings failed and were skipped.</summary>
    public long TelemetryErrors => Interlocked.Read(ref _telemetryErrors) + _statistics.Errors + _stepMetrics.Errors;

    /// <summary>
    /// Gets or sets the validation pass that a <see cref="ControlAction.Evaluate"/> command runs at a step boundary, on the
    /// training thread; afterwards the session puts the model back in the mode it was in. Its result is published as <c>val_loss</c> and
    /// <c>val_accuracy</c> and does not count towards early-stopping patience. When <see langword="null"/>, evaluate
    /// commands are rejected. The default is <see langword="null"/>.
    /// </summary>
    public Func<ValidationResult>? Evaluator
    {
        get => _commands.Evaluator;
        set => _commands.Evaluator = value;
    }

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
        _window.OnBoundary();
        if (cancellationToken.IsCancellationRequested)
        {
            _session.RequestStop();
            return false;
        }

        if (_commands.ApplyPending(_receiver, cancellationToken))
        {
            _window.Restart(); // a pause, a checkpoint or an evaluation is not step time
        }

        if (_commands.Restored)
        {
            // The weights jumped to a checkpoint's: an update ratio must start from them, not from the copy before.
            _commands.Restored = false;
            _statistics.Invalidate();
        }

        // Arm the statistics only now, after any evaluation, so that validation passes are never measured.
        if (!_session.StopRequested)
        {
            _statistics.Prepare(_session.Step + 1);
        }

        return !_session.StopRequested;
    }

    /// <summary>Marks the start of an epoch.</summary>
    /// <param name="epoch">The epoch number, 1-based.</param>
    public void BeginEpoch(int epoch)
    {
        ThrowIfFinished();
        ArgumentOutOfRangeException.ThrowIfLessThan(epoch, 1);
        _session.Epoch = epoch;
        _session.Batch = 0;
        _epochLoss.Reset();
        _commands.EpochCheckpoint = null;
        _window.Restart();
    }

    /// <summary>
    /// Records the input batch of the coming step, before its <c>RecordStep</c>: on the steps that will be sampled (see
    /// <see cref="TorchMonitorOptions.MetricsInterval"/>) it computes the batch's mean and standard deviation over all
    /// elements (population, one transfer of two scalars) and publishes them with that step's metrics as
    /// <c>input_mean</c> and <c>input_std</c>; on every other step it reads nothing, never synchronises the device and
    /// allocates nothing. Call it after the batch is fetched and before <c>RecordStep</c> of the same step (before or
    /// after <see cref="WaitForStepBoundary"/>); a second call for the same step replaces the first. A reading that fails
    /// is skipped and counted in <see cref="TelemetryErrors"/>.
    /// </summary>
    /// <param name="input">The step's input batch (any shape and numeric type, for example images [batch, C, H, W]).</param>
    public void RecordInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        ThrowIfFinished();
        var step = _session.Step + 1;
        if (!IsSampledStep(step))
        {
            return;
        }

        try
        {
            _input.Read(input, step);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _input.Clear();
            Interlocked.Increment(ref _telemetryErrors);
        }
    }

    /// <summary>
    /// Records a finished classification step: loss, batch accuracy, the share of the batch's most common class
    /// (<c>batch_class_share</c>, for one-dimensional integer targets), learning rate, throughput (on sampled steps).
    /// </summary>
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
        var (summary, values) = _epochLoss.Summarize(validationLoss, validationAccuracy, _bestAccuracy);
        if (_earlyStopping.Observe(validationLoss, validationAccuracy, _session.Epoch) is { } reason && !_session.StopRequested)
        {
            _session.RequestStop(reason);
        }

        var epoch = _session.EventEpoch;
        if (values is not null)
        {
            _bus.TryPublish(new MetricEvent(Run, _session.Step, values) { Epoch = epoch });
        }

        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.EpochCompleted)
        {
            Epoch = epoch,
            Step = _session.Step,
            State = State,
            Metrics = summary,
            CheckpointPath = _commands.EpochCheckpoint,
        });
    }

    /// <summary>Records that a checkpoint was written.</summary>
    /// <param name="path">Where it was written.</param>
    public void RecordCheckpoint(string path)
    {
        ThrowIfFinished();
        ArgumentException.ThrowIfNullOrEmpty(path);
        _commands.EpochCheckpoint = path;
        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.CheckpointSaved)
        {
            Epoch = _session.EventEpoch,
            Step = _session.Step,
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
        Finish(_session.StopRequested ? RunState.Stopped : RunState.Completed, _session.StopReason, writeFinalCheckpoint: true);
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
                _session.StopRequested ? _session.StopReason : "The training loop ended without calling Complete().",
                writeFinalCheckpoint: _session.StopRequested);
        }
    }

    internal void CountTelemetryError() => Interlocked.Increment(ref _telemetryErrors);

    internal SessionStatistics Statistics => _statistics; // tests look at the hooks and the weight copies

    private void RecordStepCore(Tensor loss, Tensor? output, Tensor? target, long batchSize)
    {
        ThrowIfFinished();
        var step = ++_session.Step;
        _session.Batch++;
        _window.OnStep(batchSize);
        var statistics = _statistics.IsStatisticsStep(step);
        if (IsSampledStep(step))
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
                if (statistics)
                {
                    // Whatever happened, the hooks go quiet until the next statistics step.
                    _statistics.Disarm();
                }
            }
        }

        // A loop that never calls WaitForStepBoundary gets its statistics armed here, at the end of the step before.
        if (!_usesStepBoundaries)
        {
            _statistics.Prepare(step + 1);
        }

        _window.OnStepEnd();
    }

    private void PublishSampledStep(Tensor loss, Tensor? output, Tensor? target, bool statistics)
    {
        var values = _stepMetrics.Read(loss, output, target, statistics, RemainingSteps(), out var lossValue);
        _input.AddTo(values, _session.Step);
        _epochLoss.Add(lossValue);
        _bus.TryPublish(new MetricEvent(Run, _session.Step, values)
        {
            Epoch = _session.EventEpoch,
            Batch = _session.Epoch == 0 ? null : _session.Batch,
        });
    }

    /// <summary>Whether step <paramref name="step"/> publishes its metrics: the first, every <c>MetricsInterval</c>-th and every statistics step.</summary>
    private bool IsSampledStep(long step) => step == 1 || step % _metricsInterval == 0 || _statistics.IsStatisticsStep(step);

    /// <summary>The steps left in the planned run, when the run says how many epochs of how many steps it plans.</summary>
    private long? RemainingSteps() =>
        Run.TotalEpochs is { } totalEpochs && Run.StepsPerEpoch is { } perEpoch && _session.Epoch > 0
            ? ((long)totalEpochs * perEpoch) - (((long)(_session.Epoch - 1) * perEpoch) + _session.Batch)
            : null;

    private void Finish(RunState state, string? message, bool writeFinalCheckpoint)
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        _session.State = state;
        _statistics.Dispose();
        string? finalCheckpoint = null;
        if (writeFinalCheckpoint && CheckpointDirectory is { } folder)
        {
            var path = Path.Combine(folder, "final.pt");
            if (_commands.TryWriteCheckpoint(path, _session.Step, _session.Epoch) is { } error)
            {
                Interlocked.Increment(ref _telemetryErrors);
                message = $"{(message is null ? string.Empty : message + " ")}The final checkpoint could not be written to '{path}': {error}";
            }
            else
            {
                finalCheckpoint = path;
            }
        }

        // Detach first, so no new command can be queued; then answer every command still queued, so that each accepted
        // command gets its acknowledgement, before the run's last event.
        _receiver.Dispose();
        while (_receiver.TryTake(out var pending))
        {
            _commands.RejectUnhandled(pending);
        }

        var metrics = new Dictionary<string, double>(StringComparer.Ordinal);
        if (!double.IsNaN(_bestAccuracy.Value))
        {
            metrics[MetricNames.BestAccuracy] = _bestAccuracy.Value;
        }

        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.RunFinished)
        {
            State = state,
            Step = _session.Step,
            Epoch = _session.EventEpoch,
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
