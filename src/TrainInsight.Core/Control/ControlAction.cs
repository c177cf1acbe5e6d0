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

    /// <summary>
    /// Write a checkpoint at the next step boundary. A <see cref="TrainingEventKind.CheckpointSaved"/> event with the path
    /// follows, and the acknowledgement's message names the file. Takes no value; trainers without a checkpoint directory
    /// reject it.
    /// </summary>
    SaveCheckpoint,

    /// <summary>
    /// Run the validation at the next step boundary and publish <see cref="MetricNames.ValLoss"/> and
    /// <see cref="MetricNames.ValAccuracy"/>; the acknowledgement's message carries the results. Takes no value; trainers
    /// that cannot evaluate reject it. Evaluations requested this way do not count towards early-stopping patience.
    /// </summary>
    Evaluate,

    /// <summary>
    /// Set the early-stopping patience to <see cref="ControlCommand.Value"/>: the number of epoch-end validations without
    /// improvement of the early-stopping metric after which the run stops (with its final checkpoint); 0 turns early
    /// stopping off. Trainers reject a value that is not a whole number from 0 to 10,000, leaving training unchanged.
    /// </summary>
    SetEarlyStopping,

    /// <summary>
    /// Restore the checkpoint at <see cref="ControlCommand.Path"/> at the next step boundary: the model's parameters and
    /// buffers and, when the checkpoint holds it, the optimizer's state (moments and learning rates), so that training goes
    /// on from where the checkpoint was written. Takes no value. Trainers reject a command without a path, a missing or
    /// unreadable file and a checkpoint of another model, leaving training unchanged.
    /// </summary>
    RestoreCheckpoint,
}
