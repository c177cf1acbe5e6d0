namespace TrainInsight.Proposals.Tests.Infrastructure;

/// <summary>
/// A trainer driven by the test, step by step, over a real bus and control mailbox: each <see cref="Train"/> publishes
/// one metric update and then handles the pending commands like a real training loop does at a step boundary (checkpoints
/// publish checkpoint_saved before their acknowledgement; the learning rate commands change <see cref="LearningRate"/>).
/// </summary>
internal sealed class ScriptedTrainer : IDisposable
{
    private readonly ITelemetryBus _bus;
    private readonly IControlReceiver _receiver;
    private int _checkpoints;

    public ScriptedTrainer(ITelemetryBus bus, ITrainingControl control, string runId = "run-1")
    {
        _bus = bus;
        Run = new RunDescriptor(runId) { ModelName = "mlp" };
        _receiver = control.Attach(runId);
        bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.RunStarted) { State = RunState.Training }).Should().BeTrue();
    }

    public RunDescriptor Run { get; }

    public long Step { get; private set; }

    public double LearningRate { get; set; } = 0.01;

    /// <summary>Gets or sets the reason the trainer rejects every learning rate command with, or null to apply them.</summary>
    public string? RejectLearningRate { get; set; }

    /// <summary>Gets or sets whether checkpoints are rejected (no checkpoint folder).</summary>
    public bool NoCheckpoints { get; set; }

    public List<ControlCommand> Handled { get; } = [];

    public void Publish(double loss)
    {
        Step++;
        _bus.TryPublish(new MetricEvent(Run, Step, new Dictionary<string, double>
        {
            [MetricNames.TrainLoss] = loss,
            [MetricNames.LearningRate] = LearningRate,
        })).Should().BeTrue();
    }

    /// <summary>Publishes one update, then handles the pending commands at the step boundary.</summary>
    public void Train(double loss)
    {
        Publish(loss);
        while (_receiver.TryTake(out var command))
        {
            Handled.Add(command);
            var (status, message) = command.Action switch
            {
                ControlAction.SetLearningRate when RejectLearningRate is { } why => (ControlStatus.Rejected, why),
                ControlAction.SetLearningRate => Set(command.Value!.Value),
                ControlAction.SaveCheckpoint when NoCheckpoints => (ControlStatus.Rejected, "Checkpoints are off for this run."),
                ControlAction.SaveCheckpoint => Checkpoint(),
                _ => (ControlStatus.Applied, (string?)null),
            };
            _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.ControlApplied)
            {
                Command = command,
                ControlStatus = status,
                Message = message,
                Step = Step,
            }).Should().BeTrue();
        }
    }

    public void Finish() =>
        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.RunFinished) { State = RunState.Completed, Step = Step }).Should().BeTrue();

    public void Dispose() => _receiver.Dispose();

    private (ControlStatus, string?) Set(double value)
    {
        LearningRate = value;
        return (ControlStatus.Applied, null);
    }

    private (ControlStatus, string?) Checkpoint()
    {
        var path = $"/tmp/ckpt/step-{Step}-{++_checkpoints}.pt";
        _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.CheckpointSaved) { Step = Step, CheckpointPath = path }).Should().BeTrue();
        return (ControlStatus.Applied, $"Checkpoint written to '{path}'.");
    }
}
