namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// At a constant learning rate, the best <c>val_loss</c> has not improved by <see cref="PlateauOptions.MinImprovement"/> for
/// <see cref="PlateauOptions.Patience"/> validations, the training loss improved by less than 15 % meanwhile, and training
/// accuracy (when sent) is below 99 %; a run that never
/// validates is judged from its smoothed <c>train_loss</c> over <see cref="PlateauOptions.Window"/> samples instead.
/// </summary>
internal sealed class PlateauDetector : Detector
{
    // Healthy and plateaued runs on our tuning set improved their training loss by 5–9 % over 4 stale validations,
    // overfitting ones by 30 % and more.
    private const double MaxTrainImprovement = 0.15;
    private readonly PlateauOptions _options;
    private readonly RollingWindow _smoothed;
    private double _accuracy = double.NaN;
    private double _ema = double.NaN;
    private double _rate = double.NaN;
    private bool _rateChanged;
    private double _best = double.PositiveInfinity;
    private int _bestEpoch;
    private double _trainAtBest = double.NaN;
    private int _stale;
    private EpochCheck _last;
    private long _step;
    private string _name = MetricNames.TrainLoss;
    private bool _fromValidation;

    public PlateauDetector(DiagnosticsOptions options)
        : base(FindingLabels.Plateau, FindingSeverity.Warning)
    {
        _options = options.Plateau;
        _smoothed = new RollingWindow(_options.Window + 1);
    }

    public override IReadOnlyList<string> ExplainedBy { get; } =
    [
        FindingLabels.Divergence, FindingLabels.ExplodingGradients, FindingLabels.VanishingGradients, FindingLabels.SaturatedActivations,
        FindingLabels.DyingRelu, FindingLabels.UnnormalizedInput, FindingLabels.LabelNoise, FindingLabels.MissingZeroGrad, FindingLabels.UnshuffledData,
        FindingLabels.Overfitting, FindingLabels.LearningRateTooHigh, FindingLabels.LearningRateTooLow,
    ];

    public override string NeededSignals => "val_loss (or train_loss)";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.ValLoss) || run.HasSeen(Signal.TrainLoss);

    private bool Converged => !double.IsNaN(_accuracy) && _accuracy >= 0.99;

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (frame.Has(Signal.TrainAccuracy) && double.IsFinite(frame[Signal.TrainAccuracy]))
        {
            var accuracy = frame[Signal.TrainAccuracy];
            _accuracy = double.IsNaN(_accuracy) ? accuracy : _accuracy + (0.3 * (accuracy - _accuracy));
        }

        if (frame.Has(Signal.LearningRate))
        {
            var rate = frame[Signal.LearningRate];
            if (!double.IsNaN(_rate) && Math.Abs(rate - _rate) > 1e-9 * Math.Abs(_rate))
            {
                // A schedule or a person changed the rate: progress is measured afresh.
                _rateChanged = true;
                _smoothed.Clear();
            }

            _rate = rate;
        }

        if (run.Validations > 0 || !frame.Has(Signal.TrainLoss) || !double.IsFinite(frame[Signal.TrainLoss]))
        {
            return;
        }

        _name = frame.NameOf(Signal.TrainLoss);
        _step = frame.Step;
        var loss = frame[Signal.TrainLoss];
        var weight = 4.0 / ((_options.Window / 4.0) + 4);
        _ema = double.IsNaN(_ema) ? loss : _ema + (weight * (loss - _ema));
        _smoothed.Add(_ema);
        if (!_smoothed.IsFull)
        {
            return;
        }

        _fromValidation = false;
        var then = _smoothed[_options.Window];
        var improvement = then > 0 ? (then - _ema) / then : 0;
        Confidence = 0.5;
        Judge(improvement < _options.MinImprovement && !Converged, _options.MinImprovement / Math.Max(improvement, 1e-6));
    }

    public override void OnEpoch(RunDiagnosis run, in EpochCheck check)
    {
        if (check.ValLoss is not { } val || !double.IsFinite(val))
        {
            return;
        }

        _last = check;
        _step = check.Step;
        _fromValidation = true;
        if (_rateChanged)
        {
            _rateChanged = false;
            _stale = 0;
            _best = val;
            _bestEpoch = check.Epoch;
            _trainAtBest = check.TrainLoss ?? double.NaN;
        }
        else if (val < _best * (1 - _options.MinImprovement))
        {
            _best = val;
            _bestEpoch = check.Epoch;
            _trainAtBest = check.TrainLoss ?? double.NaN;
            _stale = 0;
        }
        else
        {
            _stale++;
        }

        // Training still falling fast while validation stalls is overfitting in the making, not a plateau.
        var trainStalled = double.IsNaN(_trainAtBest) || check.TrainLoss is not { } train || train >= _trainAtBest * (1 - MaxTrainImprovement);
        Confidence = Math.Min(0.9, 0.5 + (0.1 * _stale));
        Judge(_stale >= _options.Patience && trainStalled && !Converged, (double)_stale / _options.Patience);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var rate = double.IsNaN(_rate) ? string.Empty : Text.Join($" at a constant learning rate of {Text.F(_rate)}");
        List<SuggestedFix> fixes =
        [
            Fixes.ScaleLearningRate(run, _options.DecayFactor, "A step decay at a plateau is the classic way to unlock the next drop in loss."),
            Fixes.Code("use_schedule", "Use a schedule (StepLR, cosine or ReduceLROnPlateau) so the rate decays without intervention", "Schedules decay the rate when progress slows."),
            Fixes.CheckpointAndStop("Save a checkpoint and stop if the validation metrics are good enough", "Further epochs at this rate buy little."),
        ];
        if (_fromValidation)
        {
            return new FindingContent(
                Text.Join($"{_last.ValLossName} has not improved by {Text.Percent(_options.MinImprovement)} for {_stale} validations{rate}: its best is {Text.F(_best)} at epoch {_bestEpoch}, and it is {Text.F(_last.ValLoss ?? double.NaN)} at epoch {_last.Epoch}. Training has plateaued: the rate is now too coarse to descend further."),
                [
                    new FindingEvidence(_last.ValLossName, _last.ValLoss ?? double.NaN, _last.Step, "latest validation loss", _best * (1 - _options.MinImprovement)),
                    new FindingEvidence(_last.ValLossName, _best, _last.Step, Text.Join($"best validation loss (epoch {_bestEpoch})")),
                ],
                fixes);
        }

        var then = _smoothed[_options.Window];
        var improvement = then > 0 ? (then - _ema) / then : 0;
        return new FindingContent(
            Text.Join($"The smoothed {_name} improved by {Text.Percent(improvement)} over the last {_options.Window} samples (from {Text.F(then)} to {Text.F(_ema)} at step {Text.F(_step)}){rate}, under the {Text.Percent(_options.MinImprovement)} that counts as progress. The loss has plateaued (the run sends no validation loss, so this is judged from the training loss)."),
            [new FindingEvidence(_name, improvement, _step, Text.Join($"relative improvement of the smoothed loss over {_options.Window} samples"), _options.MinImprovement)],
            fixes);
    }
}
