using TrainInsight.Torch;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>The mid-run spike: a real <see cref="ControlAction.SetLearningRate"/> command through the control channel at step <c>atStep</c>.</summary>
internal sealed class LearningRateSpike(long atStep, double learningRate) : IRunHooks
{
    private ITrainingControl? _control;
    private string? _runId;

    /// <summary>Gets the step at which the command was applied (the session's step at that boundary), or <see langword="null"/>.</summary>
    public long? AppliedAtStep { get; private set; }

    public void Started(ITelemetryBus bus, ITrainingControl control, RunDescriptor run)
    {
        _control = control;
        _runId = run.Id;
    }

    public void BeforeBoundary(TrainingSession session)
    {
        if (AppliedAtStep is null && session.Step >= atStep && _control is not null)
        {
            _control.Submit(ControlAction.SetLearningRate, _runId, learningRate);
            AppliedAtStep = session.Step; // applied at the boundary that follows
        }
    }

    public void Finished()
    {
    }
}
