namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// One label's detector for one run: fed every metric update and validation, it keeps O(1) state (counters, moving
/// averages, fixed windows) and says whether its condition holds now. It allocates only in <see cref="Describe"/>, which
/// runs when a finding is raised, updated or resolved.
/// </summary>
internal abstract class Detector(string label, FindingSeverity severity)
{
    public string Label { get; } = label;

    /// <summary>The severity the finding has while the condition holds (a detector may raise it as evidence grows).</summary>
    public FindingSeverity Severity { get; protected set; } = severity;

    /// <summary>Whether the condition held at the latest judgement.</summary>
    public bool Active { get; protected set; }

    /// <summary>Whether the latest event let the detector judge (enough samples of its signals); reset by the tracker.</summary>
    public bool Judged { get; set; }

    /// <summary>How sure the detector is, 0..1.</summary>
    public double Confidence { get; protected set; } = 0.8;

    /// <summary>How bad it is, in the detector's own unit (a ratio to a threshold): an open finding is updated when it grows.</summary>
    public double Magnitude { get; protected set; }

    /// <summary>The labels that, open, explain this one's symptoms: it is not raised while one of them is open.</summary>
    public virtual IReadOnlyList<string> ExplainedBy => [];

    /// <summary>Whether the label is judged at validations only, so its signals cannot be expected before the first one.</summary>
    public virtual bool NeedsValidation => false;

    /// <summary>The signals the label needs, as a sentence for the <see cref="FindingLabels.SignalsMissing"/> finding.</summary>
    public abstract string NeededSignals { get; }

    /// <summary>Whether the run sent what the label needs.</summary>
    public abstract bool IsCovered(RunDiagnosis run);

    public virtual void OnSample(RunDiagnosis run, SignalFrame frame)
    {
    }

    public virtual void OnEpoch(RunDiagnosis run, in EpochCheck check)
    {
    }

    /// <summary>Writes the finding's message, evidence and fixes from the current state.</summary>
    public abstract FindingContent Describe(RunDiagnosis run);

    /// <summary>Records a judgement.</summary>
    protected void Judge(bool active, double magnitude = 0)
    {
        Judged = true;
        Active = active;
        if (active)
        {
            Magnitude = magnitude;
        }
    }
}
