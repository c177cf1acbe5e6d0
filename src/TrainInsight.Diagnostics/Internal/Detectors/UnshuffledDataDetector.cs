namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median <c>batch_class_share</c> of the last <see cref="DataOptions.Window"/> samples is at least <see cref="DataOptions.MaxClassShare"/>.</summary>
internal sealed class UnshuffledDataDetector : Detector
{
    private readonly DataOptions _options;
    private readonly RollingWindow _shares;
    private long _step;
    private string _name = MetricNames.BatchClassShare;

    public UnshuffledDataDetector(DiagnosticsOptions options)
        : base(FindingLabels.UnshuffledData, FindingSeverity.Warning)
    {
        _options = options.Data;
        _shares = new RollingWindow(_options.Window);
    }

    public override string NeededSignals => "batch_class_share";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.BatchClassShare);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(Signal.BatchClassShare) || !double.IsFinite(frame[Signal.BatchClassShare]))
        {
            return;
        }

        _name = frame.NameOf(Signal.BatchClassShare);
        _step = frame.Step;
        _shares.Add(frame[Signal.BatchClassShare]);
        var median = _shares.Median();
        Confidence = Math.Min(1, 0.5 + (median / 2));
        Judge(median >= _options.MaxClassShare, median / _options.MaxClassShare);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var median = _shares.Median();
        return new FindingContent(
            Text.Join($"A median {Text.Percent(median)} of each sampled batch belongs to one class (last {_shares.Count} samples at step {Text.F(_step)}; limit {Text.Percent(_options.MaxClassShare)}): the training data is ordered by class and not shuffled. Each stretch of steps then pulls the model towards one class and the next undoes it."),
            [new FindingEvidence(_name, median, _step, Text.Join($"median share of the most common class over {_shares.Count} batches"), _options.MaxClassShare)],
            [
                Fixes.Code("shuffle_data", "Shuffle the training set every epoch (shuffle: true in the data loader, or a random permutation of the indices per epoch)", "Mixed batches give gradients that represent every class at every step."),
            ]);
    }
}
