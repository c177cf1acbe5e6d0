namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// At a constant learning rate, the smoothed <c>train_loss</c> improved by less than <see cref="PlateauOptions.MinImprovement"/>
/// over the last <see cref="PlateauOptions.Window"/> samples, while training accuracy (when sent) is below 99 %.
/// </summary>
internal sealed class PlateauDetector : Detector
{
    private readonly PlateauOptions _options;
    private readonly RollingWindow _smoothed;
    private readonly RollingWindow _accuracy = new(5);
    private double _ema = double.NaN;
    private double _rate = double.NaN;
    private long _step;
    private string _name = MetricNames.TrainLoss;

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

    public override string NeededSignals => "train_loss";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.TrainLoss);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (frame.Has(Signal.TrainAccuracy) && double.IsFinite(frame[Signal.TrainAccuracy]))
        {
            _accuracy.Add(frame[Signal.TrainAccuracy]);
        }

        if (frame.Has(Signal.LearningRate))
        {
            var rate = frame[Signal.LearningRate];
            if (!double.IsNaN(_rate) && Math.Abs(rate - _rate) > 1e-9 * Math.Abs(_rate))
            {
                _smoothed.Clear();
            }

            _rate = rate;
        }

        if (!frame.Has(Signal.TrainLoss) || !double.IsFinite(frame[Signal.TrainLoss]))
        {
            return;
        }

        _name = frame.NameOf(Signal.TrainLoss);
        _step = frame.Step;
        var loss = frame[Signal.TrainLoss];
        var weight = 4.0 / (_options.Window + 4);
        _ema = double.IsNaN(_ema) ? loss : _ema + (weight * (loss - _ema));
        _smoothed.Add(_ema);
        if (!_smoothed.IsFull)
        {
            return;
        }

        var then = _smoothed[_options.Window];
        var improvement = then > 0 ? (then - _ema) / then : 0;
        var converged = _accuracy.Count > 0 && _accuracy.Mean() >= 0.99;
        var active = improvement < _options.MinImprovement && !converged;
        Confidence = 0.6;
        Judge(active, _options.MinImprovement / Math.Max(improvement, 1e-6));
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var then = _smoothed[_options.Window];
        var improvement = then > 0 ? (then - _ema) / then : 0;
        var rate = double.IsNaN(_rate) ? string.Empty : Text.Join($" at a constant learning rate of {Text.F(_rate)}");
        return new FindingContent(
            Text.Join($"The smoothed {_name} improved by {Text.Percent(improvement)} over the last {_options.Window} samples (from {Text.F(then)} to {Text.F(_ema)} at step {Text.F(_step)}){rate}, under the {Text.Percent(_options.MinImprovement)} that counts as progress. The loss has plateaued: the rate is now too coarse to descend further."),
            [new FindingEvidence(_name, improvement, _step, Text.Join($"relative improvement of the smoothed loss over {_options.Window} samples"), _options.MinImprovement)],
            [
                Fixes.ScaleLearningRate(run, _options.DecayFactor, "A step decay at a plateau is the classic way to unlock the next drop in loss."),
                Fixes.Code("use_schedule", "Use a schedule (StepLR, cosine or ReduceLROnPlateau) so the rate decays without intervention", "Schedules decay the rate when progress slows."),
                Fixes.CheckpointAndStop("Save a checkpoint and stop if the validation metrics are good enough", "Further epochs at this rate buy little."),
            ]);
    }
}
