namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// For <see cref="OverfittingOptions.Patience"/> validations in a row <c>val_loss</c> stayed at least
/// <see cref="OverfittingOptions.MinRise"/> above its best while the training loss fell by at least
/// <see cref="OverfittingOptions.MinTrainImprovement"/> since that best.
/// </summary>
internal sealed class OverfittingDetector(DiagnosticsOptions options) : Detector(FindingLabels.Overfitting, FindingSeverity.Warning)
{
    private readonly OverfittingOptions _options = options.Overfitting;
    private double _best = double.PositiveInfinity;
    private int _bestEpoch;
    private long _bestStep;
    private double _trainAtBest = double.NaN;
    private double _bestAccuracy = double.NaN;
    private int _above;
    private EpochCheck _last;

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence, FindingLabels.LabelNoise];

    public override bool NeedsValidation => true;

    public override string NeededSignals => "val_loss and train_loss";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.ValLoss) && run.HasSeen(Signal.TrainLoss);

    public override void OnEpoch(RunDiagnosis run, in EpochCheck check)
    {
        if (check.ValLoss is not { } val || !double.IsFinite(val) || check.TrainLoss is not { } train || !double.IsFinite(train))
        {
            return;
        }

        _last = check;
        if (val < _best)
        {
            _best = val;
            _bestEpoch = check.Epoch;
            _bestStep = check.Step;
            _trainAtBest = train;
            _bestAccuracy = check.ValAccuracy ?? double.NaN;
            _above = 0;
            Judge(false);
            return;
        }

        var risen = val >= _best * (1 + _options.MinRise);
        var trainImproved = train <= _trainAtBest * (1 - _options.MinTrainImprovement);
        if (risen && trainImproved)
        {
            _above++;
        }
        else if (val <= _best * (1 + (_options.MinRise / 2)))
        {
            _above = 0;
        }

        var active = _above >= _options.Patience;
        Confidence = active ? Math.Min(1, 0.6 + (0.1 * _above)) : Confidence;
        Judge(active, val / _best);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var last = _last;
        var val = last.ValLoss ?? double.NaN;
        var train = last.TrainLoss ?? double.NaN;
        var accuracy = !double.IsNaN(_bestAccuracy) && last.ValAccuracy is { } acc
            ? Text.Join($" Validation accuracy was {Text.Percent(_bestAccuracy)} at the best epoch and is {Text.Percent(acc)} now.")
            : string.Empty;
        return new FindingContent(
            Text.Join($"{last.ValLossName} has been above its best ({Text.F(_best)} at epoch {_bestEpoch}) for {_above} validations and is {Text.F(val)} at epoch {last.Epoch} (+{Text.Percent((val / _best) - 1)}), while the training loss fell from {Text.F(_trainAtBest)} to {Text.F(train)}; validation/training loss ratio {Text.F(val / train)}.{accuracy} The model is overfitting: further epochs make it worse on unseen data."),
            [
                new FindingEvidence(last.ValLossName, val, last.Step, "latest validation loss", _best * (1 + _options.MinRise)),
                new FindingEvidence(last.ValLossName, _best, _bestStep, Text.Join($"best validation loss (epoch {_bestEpoch})")),
                new FindingEvidence(last.TrainLossName, train, last.Step, "mean training loss since the previous validation"),
            ],
            [
                Fixes.CheckpointAndStop(
                    Text.Join($"Save a checkpoint and stop (the best validation loss was at epoch {_bestEpoch}; keep that epoch's checkpoint if you have one)"),
                    "Every further epoch fits the training set more and the validation set less."),
                Fixes.WeightDecay(5e-4, "Weight decay penalises the large weights that memorise the training set (optimizers without weight decay reject it)."),
                Fixes.Code("regularise", "Add data augmentation (random crops and flips) and dropout, or train on more data", "More varied data is the surest cure for memorisation."),
            ]);
    }
}
