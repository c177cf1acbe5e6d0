using TrainInsight.Torch.TensorBoard;
using static TorchSharp.torch;

namespace TrainInsight.Torch;

/// <summary>
/// Attaches TorchSharp training loops to TrainInsight: each attached run publishes its metrics to the
/// <see cref="ITelemetryBus"/> and obeys commands from <see cref="ITrainingControl"/> at step boundaries.
/// </summary>
public sealed class TrainingMonitor
{
    private readonly ITelemetryBus _bus;
    private readonly ITrainingControl _control;
    private readonly TorchMonitorOptions _options;

    /// <summary>Initializes a new instance of the <see cref="TrainingMonitor"/> class.</summary>
    /// <param name="bus">Where metrics and events go.</param>
    /// <param name="control">Where commands come from.</param>
    /// <param name="options">Hook settings. The default is <c>new TorchMonitorOptions()</c>.</param>
    public TrainingMonitor(ITelemetryBus bus, ITrainingControl control, TorchMonitorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(control);
        _bus = bus;
        _control = control;
        _options = options ?? new TorchMonitorOptions();
    }

    /// <summary>
    /// Starts monitoring a run: publishes <see cref="TrainingEventKind.RunStarted"/> and attaches the run to the control mailbox.
    /// Dispose the returned session when the loop ends.
    /// </summary>
    /// <param name="model">The model being trained. The session reads it for the metrics and checkpoints, and with
    /// <see cref="TorchMonitorOptions.ActivationStatistics"/> adds forward hooks (removed when the session ends); it never
    /// changes the weights.</param>
    /// <param name="optimizer">The optimizer: read for the learning rates; set_learning_rate and set_weight_decay
    /// commands change its parameter groups at step boundaries.</param>
    /// <param name="run">The run's description. When its <see cref="RunDescriptor.ParameterCount"/> or
    /// <see cref="RunDescriptor.ModelName"/> is missing, they are taken from <paramref name="model"/>.</param>
    /// <returns>The run's session.</returns>
    public TrainingSession Attach(nn.Module model, optim.Optimizer optimizer, RunDescriptor run)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(run);
        if (run.ParameterCount is null || run.ModelName is null)
        {
            run = new RunDescriptor(run.Id)
            {
                Name = run.Name,
                ModelName = run.ModelName ?? model.GetName(),
                ParameterCount = run.ParameterCount ?? CountParameters(model),
                TotalEpochs = run.TotalEpochs,
                StepsPerEpoch = run.StepsPerEpoch,
                StartedAt = run.StartedAt,
                Hyperparameters = run.Hyperparameters,
            };
        }

        var receiver = _control.Attach(run.Id);
        TensorBoardScalarLogger? tensorBoard = null;
        try
        {
            // Subscribed before the session publishes RunStarted, so that the TensorBoard logger misses nothing of the run.
            tensorBoard = TensorBoardScalarLogger.Create(_bus, _options.TensorBoardLogDirectory, run);
            var session = new TrainingSession(_bus, receiver, model, optimizer, run, _options) { Companion = tensorBoard };
            tensorBoard?.Start(session.CountTelemetryError);
            return session;
        }
        catch
        {
            // Nothing of a run that never started may stay attached.
            tensorBoard?.Dispose();
            receiver.Dispose();
            throw;
        }
    }

    private static long CountParameters(nn.Module model)
    {
        long count = 0;
        foreach (var parameter in model.parameters())
        {
            if (parameter.requires_grad)
            {
                count += parameter.numel();
            }
        }

        return count;
    }
}
