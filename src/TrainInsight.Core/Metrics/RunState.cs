namespace TrainInsight;

/// <summary>The state of a training run.</summary>
public enum RunState
{
    /// <summary>The run is training.</summary>
    Training,

    /// <summary>The run is paused at a step boundary.</summary>
    Paused,

    /// <summary>The run was stopped before it finished, by a command or by cancellation.</summary>
    Stopped,

    /// <summary>The run finished all its planned work.</summary>
    Completed,

    /// <summary>The run ended with an error.</summary>
    Failed,

    /// <summary>
    /// Nothing has been heard from the run for <see cref="TrainInsightOptions.LostRunTimeout"/> while it was training or
    /// paused, and no trainer of this host is attached to it: its trainer may have crashed, been killed or lost its
    /// connection. The run comes back to <see cref="Training"/> when its events resume.
    /// </summary>
    Lost,
}
