namespace TrainInsight.Llm;

/// <summary>How serious a <see cref="Finding"/> is.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing; no action needed (for example a plateau, or a healthy run).</summary>
    Info,

    /// <summary>Probably a problem; the run may waste time or end worse than it could (divergence, overfitting).</summary>
    Warning,

    /// <summary>The run is broken and further steps are wasted (for example a NaN loss).</summary>
    Critical,
}
