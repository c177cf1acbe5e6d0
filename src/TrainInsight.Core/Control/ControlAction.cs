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
}
