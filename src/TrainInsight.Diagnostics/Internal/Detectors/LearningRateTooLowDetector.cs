namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// The median <c>update_ratio</c> of the last 5 samples is below <see cref="LearningRateOptions.LowUpdateRatio"/>; without an
/// update ratio, after three windows of <c>train_loss</c> the loss improved by less than <see cref="LearningRateOptions.MinImprovement"/>.
/// </summary>
internal sealed class LearningRateTooLowDetector : Detector
{
    private readonly LearningRateOptions _options;
    private readonly RollingWindow _ratios = new(5);
    private readonly RollingWindow _losses = new(5);
    private double _initialSum;
    private int _initialCount;
    private long _lossSamples;
    private long _step;
    private string _lossName = MetricNames.TrainLoss;
    private string _ratioName = MetricNames.UpdateRatio;
    private bool _fromRatio;

    public LearningRateTooLowDetector(DiagnosticsOptions options)
        : base(FindingLabels.LearningRateTooLow, FindingSeverity.Warning)
    {
        _options = options.LearningRate;
    }

    public override IReadOnlyList<string> ExplainedBy { get; } =
    [
        FindingLabels.Divergence, FindingLabels.ExplodingGradients, FindingLabels.VanishingGradients, FindingLabels.SaturatedActivations,
        FindingLabels.DyingRelu, FindingLabels.UnnormalizedInput, FindingLabels.LabelNoise, FindingLabels.MissingZeroGrad, FindingLabels.UnshuffledData,
    ];

    public override string NeededSignals => "update_ratio or train_loss";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.UpdateRatio) || run.HasSeen(Signal.TrainLoss);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (frame.Has(Signal.TrainLoss) && double.IsFinite(frame[Signal.TrainLoss]))
        {
            _lossName = frame.NameOf(Signal.TrainLoss);
            _lossSamples++;
            _losses.Add(frame[Signal.TrainLoss]);
            if (_initialCount < 5)
            {
                _initialSum += frame[Signal.TrainLoss];
                _initialCount++;
            }
        }

        _step = frame.Step;
        if (frame.Has(Signal.UpdateRatio) && double.IsFinite(frame[Signal.UpdateRatio]))
        {
            _ratioName = frame.NameOf(Signal.UpdateRatio);
            _ratios.Add(frame[Signal.UpdateRatio]);
            if (_ratios.IsFull)
            {
                _fromRatio = true;
                var median = _ratios.Median();
                Confidence = 0.85;
                Judge(median < _options.LowUpdateRatio, _options.LowUpdateRatio / Math.Max(median, 1e-300));
            }

            return;
        }

        if (!run.HasSeen(Signal.UpdateRatio) && _lossSamples >= 3L * _options.Window && _losses.IsFull && _initialCount == 5)
        {
            _fromRatio = false;
            var improvement = Improvement();
            Confidence = 0.6;
            Judge(improvement < _options.MinImprovement, _options.MinImprovement / Math.Max(improvement, 1e-6));
        }
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var initial = _initialCount > 0 ? _initialSum / _initialCount : double.NaN;
        var recent = _losses.Count > 0 ? _losses.Mean() : double.NaN;
        var rate = run.LearningRate is { } r ? Text.Join($" at learning rate {Text.F(r)}") : string.Empty;
        List<FindingEvidence> evidence = [new(_lossName, recent, _step, Text.Join($"mean of the last {_losses.Count} samples (the first {_initialCount}: {Text.F(initial)})"))];
        string message;
        if (_fromRatio)
        {
            var median = _ratios.Median();
            evidence.Insert(0, new FindingEvidence(_ratioName, median, _step, Text.Join($"median of the last {_ratios.Count} samples"), _options.LowUpdateRatio));
            message = Text.Join($"Each step changes the weights by a median {Text.F(median)} of their size{rate}, {Text.Times(1e-3 / Math.Max(median, 1e-300))} below the healthy 1e-3; {_lossName} went from {Text.F(initial)} to {Text.F(recent)}. The learning rate is too low: the run will take far longer than it needs.");
        }
        else
        {
            message = Text.Join($"After {Text.F(_lossSamples)} samples {_lossName} improved by only {Text.Percent(Improvement())} (from {Text.F(initial)} to {Text.F(recent)}){rate}. The learning rate is probably too low.");
        }

        // With an update ratio, the factor that brings it to CS231n's healthy 1e-3 (updates scale with the rate), never less
        // than IncreaseFactor nor more than 1,000×; without one, IncreaseFactor.
        var factor = _fromRatio ? Math.Clamp(1e-3 / Math.Max(_ratios.Median(), 1e-300), _options.IncreaseFactor, 1_000) : _options.IncreaseFactor;
        factor = _fromRatio ? Math.Pow(10, Math.Round(Math.Log10(factor))) : factor;
        var rationale = _fromRatio
            ? Text.Join($"Updates scale with the rate: ×{Text.F(factor)} brings the update/weight ratio from {Text.F(_ratios.Median())} to about the healthy 1e-3.")
            : "Updates this small barely move the weights; an order of magnitude more is still well inside the stable range.";
        return new FindingContent(
            message,
            evidence,
            [
                Fixes.ScaleLearningRate(run, factor, rationale),
                Fixes.Code("learning_rate_finder", "Run a learning-rate range test (increase the rate each step, pick a value just below where the loss turns up)", "It finds the usable range in one short run."),
            ]);
    }

    private double Improvement()
    {
        var initial = _initialSum / _initialCount;
        return initial > 0 ? (initial - _losses.Mean()) / initial : 0;
    }
}
