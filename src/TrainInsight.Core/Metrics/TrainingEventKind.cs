namespace TrainInsight;

/// <summary>What happened in a <see cref="TrainingEvent"/>.</summary>
public enum TrainingEventKind
{
    /// <summary>The run started.</summary>
    RunStarted,

    /// <summary>The run ended; <see cref="TrainingEvent.State"/> says how.</summary>
    RunFinished,

    /// <summary>An epoch ended; <see cref="TrainingEvent.Metrics"/> holds its summary (for example validation metrics).</summary>
    EpochCompleted,

    /// <summary>A checkpoint was written to <see cref="TrainingEvent.CheckpointPath"/>.</summary>
    CheckpointSaved,

    /// <summary>The trainer handled a <see cref="ControlCommand"/>; <see cref="TrainingEvent.ControlStatus"/> says whether it was applied.</summary>
    ControlApplied,
}
