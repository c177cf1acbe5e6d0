namespace TrainInsight;

/// <summary>Whether a <see cref="SuggestedFix"/> can be applied to the running job or needs a change to the training code.</summary>
public enum FixKind
{
    /// <summary>The run's control channel can apply it: <see cref="SuggestedFix.Commands"/> holds the commands, with their arguments.</summary>
    LiveAction,

    /// <summary>It needs a change to the training code or data pipeline and a restart; <see cref="SuggestedFix.Commands"/> is empty.</summary>
    CodeChange,
}
