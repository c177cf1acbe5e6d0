namespace TrainInsight.Diagnostics;

/// <summary>Whether a run sends what one label needs to be judged.</summary>
public sealed class LabelCoverage
{
    internal LabelCoverage(string label, bool isJudged, string neededSignals)
    {
        Label = label;
        IsJudged = isJudged;
        NeededSignals = neededSignals;
    }

    /// <summary>Gets the label; see <see cref="FindingLabels"/>.</summary>
    public string Label { get; }

    /// <summary>Gets whether the run sent the signals the label needs, so that it is judged rather than left undecided.</summary>
    public bool IsJudged { get; }

    /// <summary>Gets the signals the label needs, for example "gradient_norm" or "val_loss and train_loss".</summary>
    public string NeededSignals { get; }
}
