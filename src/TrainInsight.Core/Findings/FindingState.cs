namespace TrainInsight;

/// <summary>Where a finding is in its life: raised once per episode, updated while it lasts, resolved when it clears.</summary>
public enum FindingState
{
    /// <summary>The condition holds: raised, or updated with new evidence.</summary>
    Open,

    /// <summary>The condition cleared (or the run ended); the finding's evidence is what it was when last open.</summary>
    Resolved,
}
