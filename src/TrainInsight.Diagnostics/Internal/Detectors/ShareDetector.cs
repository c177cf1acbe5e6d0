namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// A detector of one share-like signal (0..1): the median of its last samples at or above a threshold. The dying-ReLU,
/// saturation and unshuffled-data detectors differ only in their signal, threshold and words.
/// </summary>
internal abstract class ShareDetector : Detector
{
    private readonly Signal _signal;

    protected ShareDetector(string label, Signal signal, int window, double threshold)
        : base(label, FindingSeverity.Warning)
    {
        _signal = signal;
        Shares = new RollingWindow(window);
        Threshold = threshold;
        SignalName = SignalNames.Of(signal);
    }

    public override string NeededSignals => SignalNames.Of(_signal);

    /// <summary>The latest samples.</summary>
    protected RollingWindow Shares { get; }

    /// <summary>The median at or above which the condition holds.</summary>
    protected double Threshold { get; }

    /// <summary>The trainer's name for the signal.</summary>
    protected string SignalName { get; private set; }

    /// <summary>The step of the latest sample.</summary>
    protected long Step { get; private set; }

    /// <summary>The first sample the run sent (NaN before it).</summary>
    protected double First { get; private set; } = double.NaN;

    protected double Median => Shares.Median();

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(_signal);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(_signal) || !double.IsFinite(frame[_signal]))
        {
            return;
        }

        var value = frame[_signal];
        if (double.IsNaN(First))
        {
            First = value;
        }

        SignalName = frame.NameOf(_signal);
        Step = frame.Step;
        Shares.Add(value);
        var median = Shares.Median();
        Confidence = Math.Min(1, 0.5 + (median / 2));
        Judge(median >= Threshold, median / Threshold);
    }

    /// <summary>The evidence of the median against the threshold.</summary>
    protected FindingEvidence MedianEvidence(string what) =>
        new(SignalName, Median, Step, Text.Join($"median {what} over {Shares.Count} samples"), Threshold);
}
