namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// A hand-written stand-in for a trainer: attaches a run to the control mailbox, and at a "step boundary" takes
/// pending commands and acknowledges each with a ControlApplied event, as a real trainer would.
/// </summary>
internal sealed class FakeTrainer : IDisposable
{
    private readonly ITelemetryBus _bus;
    private readonly IControlReceiver _receiver;

    public FakeTrainer(ITelemetryBus bus, ITrainingControl control, RunDescriptor run)
    {
        _bus = bus;
        Run = run;
        _receiver = control.Attach(run.Id);
    }

    public RunDescriptor Run { get; }

    public List<ControlCommand> Handled { get; } = [];

    /// <summary>Gets or sets what the trainer answers; the default applies every command.</summary>
    public Func<ControlCommand, ControlStatus> Decide { get; set; } = _ => ControlStatus.Applied;

    /// <summary>
    /// Gets or sets the message of an applied command (a real trainer names the checkpoint file of save_checkpoint, the
    /// results of evaluate); the default is none. Rejections always say "rejected by the fake trainer".
    /// </summary>
    public Func<ControlCommand, string?> AppliedMessage { get; set; } = _ => null;

    /// <summary>Takes every pending command and publishes its acknowledgement; returns how many it took.</summary>
    public int StepBoundary()
    {
        var taken = 0;
        while (_receiver.TryTake(out var command))
        {
            taken++;
            Handled.Add(command);
            var status = Decide(command);
            _bus.TryPublish(new TrainingEvent(Run, TrainingEventKind.ControlApplied)
            {
                Command = command,
                ControlStatus = status,
                State = status == ControlStatus.Applied ? StateAfter(command.Action) : null,
                Message = status == ControlStatus.Rejected ? "rejected by the fake trainer" : AppliedMessage(command),
            });
        }

        return taken;
    }

    public void Dispose() => _receiver.Dispose();

    private static RunState StateAfter(ControlAction action) => action switch
    {
        ControlAction.Pause => RunState.Paused,
        ControlAction.Stop => RunState.Stopped,
        _ => RunState.Training,
    };
}
