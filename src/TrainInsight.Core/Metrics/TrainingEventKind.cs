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

    /// <summary>
    /// The bus has heard nothing from the run for <see cref="TrainInsightOptions.LostRunTimeout"/>; the event's
    /// <see cref="TrainingEvent.State"/> is <see cref="RunState.Lost"/> and its message says for how long and since which
    /// step. Published by the bus itself, never by a trainer.
    /// </summary>
    RunLost,
}
