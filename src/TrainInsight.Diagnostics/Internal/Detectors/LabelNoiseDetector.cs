namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// For <see cref="LabelNoiseOptions.Patience"/> validations in a row <c>val_accuracy</c> exceeded the smoothed training
/// accuracy by at least <see cref="LabelNoiseOptions.MinAccuracyGap"/>.
/// </summary>
internal sealed class LabelNoiseDetector(DiagnosticsOptions options) : Detector(FindingLabels.LabelNoise, FindingSeverity.Warning)
{
    private readonly LabelNoiseOptions _options = options.LabelNoise;
    private int _streak;
    private EpochCheck _last;

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence, FindingLabels.UnshuffledData];

    public override bool NeedsValidation => true;

    public override string NeededSignals => "val_accuracy and train_accuracy";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.ValAccuracy) && run.HasSeen(Signal.TrainAccuracy);

    public override void OnEpoch(RunDiagnosis run, in EpochCheck check)
    {
        if (check.ValAccuracy is not { } val || !double.IsFinite(val) || check.TrainAccuracy is not { } train || !double.IsFinite(train))
        {
            return;
        }

        _last = check;
        var gap = val - train;
        _streak = gap >= _options.MinAccuracyGap ? _streak + 1 : 0;
        Confidence = Math.Min(1, 0.5 + gap);
        Judge(_streak >= _options.Patience, gap / _options.MinAccuracyGap);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var val = _last.ValAccuracy ?? double.NaN;
        var train = _last.TrainAccuracy ?? double.NaN;

        // With a share p of labels replaced at random among k ≈ 10 classes, training accuracy ≈ (1 - p) · a + p / k where
        // a is the clean accuracy (≈ the validation accuracy): p ≈ (a - t) / (a - 1/k).
        var wrong = Math.Clamp((val - train) / Math.Max(val - 0.1, 1e-6), 0, 1);
        return new FindingContent(
            Text.Join($"Validation accuracy ({Text.Percent(val)}) has exceeded training accuracy ({Text.Percent(train)}) by {Text.Percent(val - train)} for {_streak} validations (epoch {_last.Epoch}). A model that does better on held-out data than on its own training batches is being taught wrong answers: roughly {Text.Percent(wrong)} of the training labels look wrong (estimate assuming about 10 classes and random errors)."),
            [
                new FindingEvidence(_last.ValAccuracyName, val, _last.Step, "validation accuracy"),
                new FindingEvidence(_last.TrainAccuracyName, train, _last.Step, "smoothed training accuracy (EMA of the batch accuracy, weight 0.3)", val - _options.MinAccuracyGap),
            ],
            [
                Fixes.Code("audit_labels", "Audit the training labels: list the training samples with the highest loss under the current model and check them by hand (confident learning)", "The highest-loss samples of a noisy set are mostly the mislabelled ones."),
                Fixes.Code("label_smoothing", "Train with label smoothing 0.1 or a noise-robust loss (e.g. generalised cross-entropy)", "They stop the model from spending capacity on memorising wrong labels."),
            ]);
    }
}
