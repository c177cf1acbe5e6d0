namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// Over the last <see cref="LearningRateOptions.Window"/> finite <c>train_loss</c> samples the loss has no downward trend
/// (the newer half's mean is at least 90 % of the older half's),
/// is still above a quarter of where it started, and either swings with a coefficient of variation of at least
/// <see cref="LearningRateOptions.Oscillation"/> or the median <c>update_ratio</c> is at least <see cref="LearningRateOptions.HighUpdateRatio"/>.
/// </summary>
internal sealed class LearningRateTooHighDetector : Detector
{
    private readonly LearningRateOptions _options;
    private readonly RollingWindow _losses;
    private readonly RollingWindow _ratios = new(5);
    private double _initial = double.NaN;
    private long _step;
    private string _lossName = MetricNames.TrainLoss;
    private string _ratioName = MetricNames.UpdateRatio;
    private double _cv;
    private double _older;
    private double _recent;

    public LearningRateTooHighDetector(DiagnosticsOptions options)
        : base(FindingLabels.LearningRateTooHigh, FindingSeverity.Warning)
    {
        _options = options.LearningRate;
        _losses = new RollingWindow(_options.Window);
    }

    public override IReadOnlyList<string> ExplainedBy { get; } =
    [
        FindingLabels.Divergence, FindingLabels.ExplodingGradients, FindingLabels.MissingZeroGrad, FindingLabels.UnshuffledData,
        FindingLabels.UnnormalizedInput, FindingLabels.LabelNoise,
    ];

    public override string NeededSignals => "train_loss";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.TrainLoss);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (frame.Has(Signal.UpdateRatio) && double.IsFinite(frame[Signal.UpdateRatio]))
        {
            _ratios.Add(frame[Signal.UpdateRatio]);
            _ratioName = frame.NameOf(Signal.UpdateRatio);
        }

        if (!frame.Has(Signal.TrainLoss) || !double.IsFinite(frame[Signal.TrainLoss]))
        {
            return;
        }

        var loss = frame[Signal.TrainLoss];
        _lossName = frame.NameOf(Signal.TrainLoss);
        _step = frame.Step;
        if (double.IsNaN(_initial))
        {
            _initial = loss;
        }

        _losses.Add(loss);
        if (!_losses.IsFull)
        {
            return;
        }

        var half = _losses.Capacity / 2;
        _recent = _losses.Mean(half);
        _older = _losses.Mean(half, half);
        var mean = _losses.Mean();
        _cv = mean > 0 ? _losses.StandardDeviation() / mean : 0;
        // Hysteresis: once oscillating, noise in the half-window means must not flip the judgement every few samples.
        var slack = Active ? 0.7 : 1.0;
        var noTrend = _recent >= (Active ? 0.8 : 0.9) * _older;
        var unconverged = _recent >= 0.25 * _initial;
        var largeUpdates = _ratios.Count > 0 && _ratios.Median() >= slack * _options.HighUpdateRatio;
        var active = noTrend && unconverged && (_cv >= slack * _options.Oscillation || largeUpdates);
        Confidence = largeUpdates && _cv >= _options.Oscillation ? 0.9 : 0.7;
        Judge(active, Math.Max(_cv / _options.Oscillation, largeUpdates ? _ratios.Median() / _options.HighUpdateRatio : 0));
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        List<FindingEvidence> evidence =
        [
            new(_lossName, _cv, _step, Text.Join($"coefficient of variation of the last {_losses.Capacity} samples"), _options.Oscillation),
            new(_lossName, _recent, _step, Text.Join($"mean of the last {_losses.Capacity / 2} samples (the {_losses.Capacity / 2} before: {Text.F(_older)})")),
        ];
        var ratioText = string.Empty;
        if (_ratios.Count > 0)
        {
            var median = _ratios.Median();
            evidence.Add(new FindingEvidence(_ratioName, median, _step, Text.Join($"median of the last {_ratios.Count} samples"), _options.HighUpdateRatio));
            ratioText = Text.Join($"; the median update/weight ratio is {Text.F(median)} (healthy is about 1e-3)");
        }

        var rate = run.LearningRate is { } r ? Text.Join($" at learning rate {Text.F(r)}") : string.Empty;
        return new FindingContent(
            Text.Join($"{_lossName} has stopped falling{rate}: the mean of the last {_losses.Capacity / 2} samples ({Text.F(_recent)}) is not below the {_losses.Capacity / 2} before ({Text.F(_older)}), and it swings by {Text.Percent(_cv)} of its mean{ratioText}. The steps overshoot: the learning rate is too high."),
            evidence,
            [
                Fixes.ScaleLearningRate(run, _options.DecreaseFactor, "Smaller steps stop the loss bouncing across the valley and let it descend."),
                Fixes.Code("use_schedule", "Add warm-up and a decaying schedule (e.g. cosine) so that the rate starts lower and falls", "A schedule keeps large steps for the start only."),
                Fixes.Code("larger_batch", "Use a larger batch (e.g. 4× the current one) at the same learning rate", "Larger batches average the gradient noise that makes high rates oscillate."),
            ]);
    }
}
