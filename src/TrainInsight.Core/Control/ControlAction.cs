namespace TrainInsight;

/// <summary>An action that steers a running training job.</summary>
public enum ControlAction
{
    /// <summary>Pause at the next step boundary.</summary>
    Pause,

    /// <summary>Resume a paused run.</summary>
    Resume,

    /// <summary>Stop at the next step boundary; the trainer ends the run cleanly.</summary>
    Stop,

    /// <summary>
    /// Set every parameter group's learning rate to <see cref="ControlCommand.Value"/> at the next step boundary.
    /// Trainers reject a value that is not finite, not greater than 0 or greater than 10.
    /// </summary>
    SetLearningRate,

    /// <summary>
    /// Set every parameter group's weight decay to <see cref="ControlCommand.Value"/> at the next step boundary.
    /// Trainers reject a value that is not finite, negative or greater than 1, and an optimizer without weight decay.
    /// </summary>
    SetWeightDecay,

    /// <summary>Write a checkpoint at the next step boundary (temporary; replaced by the control-actions branch).</summary>
    SaveCheckpoint,

    /// <summary>Evaluate now (temporary; replaced by the control-actions branch).</summary>
    Evaluate,

    /// <summary>Set early-stopping patience (temporary; replaced by the control-actions branch).</summary>
    SetEarlyStopping,
}
