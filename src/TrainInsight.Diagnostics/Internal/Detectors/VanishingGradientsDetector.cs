namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// The median of the last 3 ratios of the first layer's gradient norm to the last layer's is below
/// <see cref="GradientOptions.VanishingRatio"/>; without per-layer norms, the median global <c>gradient_norm</c> is below
/// <see cref="GradientOptions.VanishingNorm"/>.
/// </summary>
internal sealed class VanishingGradientsDetector(DiagnosticsOptions options) : Detector(FindingLabels.VanishingGradients, FindingSeverity.Warning)
{
    private readonly GradientOptions _options = options.Gradients;
    private readonly RollingWindow _ratios = new(3);
    private readonly RollingWindow _norms = new(3);
    private string? _first;
    private string? _last;
    private double _firstNorm;
    private double _lastNorm;
    private long _step;
    private string _name = MetricNames.GradientNorm;

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence, FindingLabels.DyingRelu, FindingLabels.SaturatedActivations];

    public override string NeededSignals => "per-layer gradient_norm/<layer> (or gradient_norm)";

    public override bool IsCovered(RunDiagnosis run) => run.SeenLayerGradients || run.HasSeen(Signal.GradientNorm);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        _step = frame.Step;
        if (frame.HasLayerGradients && double.IsFinite(frame.FirstLayerGradient) && double.IsFinite(frame.LastLayerGradient) && frame.LastLayerGradient > 0)
        {
            _first = frame.FirstLayer;
            _last = frame.LastLayer;
            _firstNorm = frame.FirstLayerGradient;
            _lastNorm = frame.LastLayerGradient;
            _ratios.Add(frame.FirstLayerGradient / frame.LastLayerGradient);
            var median = _ratios.Median();
            Confidence = 0.85;
            Judge(median < _options.VanishingRatio, _options.VanishingRatio / Math.Max(median, 1e-300));
            return;
        }

        if (!run.SeenLayerGradients && frame.Has(Signal.GradientNorm) && double.IsFinite(frame[Signal.GradientNorm]))
        {
            _name = frame.NameOf(Signal.GradientNorm);
            _norms.Add(frame[Signal.GradientNorm]);
            var median = _norms.Median();
            Confidence = 0.6;
            Judge(median < _options.VanishingNorm, _options.VanishingNorm / Math.Max(median, 1e-300));
        }
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        FindingContent Content(string message, FindingEvidence evidence) => new(
            message,
            [evidence],
            [
                Fixes.Code("use_relu", "Replace the sigmoid/tanh hidden activations with ReLU (or GELU) and initialise with Kaiming scaling", "A sigmoid passes back at most a quarter of the gradient per layer; ReLU passes all of it for active units."),
                Fixes.Code("add_normalisation", "Add batch normalisation (or residual connections) between the layers", "Normalised pre-activations stay in the range where the activation's slope is large; skips carry the gradient past the layers."),
                Fixes.Code("shallower_model", "Use fewer layers until the gradient reaches the first layer (ratio above 1e-3)", "Every layer the gradient crosses multiplies the loss."),
            ]);

        if (_first is not null && _ratios.Count > 0)
        {
            var median = _ratios.Median();
            return Content(
                Text.Join($"The gradient reaching the first layer ({_first}, norm {Text.F(_firstNorm)}) is {Text.F(median)} of the last layer's ({_last}, norm {Text.F(_lastNorm)}) at step {Text.F(_step)}, below the {Text.F(_options.VanishingRatio)} limit: gradients vanish on their way back, so the early layers do not learn."),
                new FindingEvidence(MetricNames.ForLayer(MetricNames.GradientNorm, _first), median, _step, Text.Join($"median ratio first/last layer gradient norm over {_ratios.Count} samples"), _options.VanishingRatio));
        }

        var norm = _norms.Median();
        return Content(
            Text.Join($"The median {_name} is {Text.F(norm)} at step {Text.F(_step)}, below {Text.F(_options.VanishingNorm)}: gradients have vanished and the weights no longer change."),
            new FindingEvidence(_name, norm, _step, Text.Join($"median of the last {_norms.Count} samples"), _options.VanishingNorm));
    }
}
