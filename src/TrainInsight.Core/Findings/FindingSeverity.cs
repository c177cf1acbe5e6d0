namespace TrainInsight;

/// <summary>How serious a <see cref="FindingEvent"/> is.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; no action needed (a plateau the scheduler will handle, signals a trainer does not send).</summary>
    Info,

    /// <summary>Probably a problem: the run may waste time or end worse than it could (overfitting, a learning rate too low).</summary>
    Warning,

    /// <summary>The run is broken or about to be, and further steps are wasted (a NaN loss, exploding gradients).</summary>
    Critical,
}
