namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median <c>dead_relu</c> share of the last <see cref="ActivationOptions.Window"/> samples is at least <see cref="ActivationOptions.DeadRelu"/>.</summary>
internal sealed class DyingReluDetector : Detector
{
    private const double DecreaseFactor = 0.1;
    private readonly ActivationOptions _options;
    private readonly RollingWindow _shares;
    private long _step;
    private double _first = double.NaN;
    private string _name = MetricNames.DeadRelu;

    public DyingReluDetector(DiagnosticsOptions options)
        : base(FindingLabels.DyingRelu, FindingSeverity.Warning)
    {
        _options = options.Activations;
        _shares = new RollingWindow(_options.Window);
    }

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence];

    public override string NeededSignals => "dead_relu";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.DeadRelu);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(Signal.DeadRelu) || !double.IsFinite(frame[Signal.DeadRelu]))
        {
            return;
        }

        _name = frame.NameOf(Signal.DeadRelu);
        _step = frame.Step;
        if (double.IsNaN(_first))
        {
            _first = frame[Signal.DeadRelu];
        }

        _shares.Add(frame[Signal.DeadRelu]);
        var median = _shares.Median();
        Confidence = Math.Min(1, 0.5 + (median / 2));
        Judge(median >= _options.DeadRelu, median / _options.DeadRelu);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var median = _shares.Median();
        var diedTraining = _first < _options.DeadRelu;
        var init = Fixes.Code("fix_bias_initialisation", "Initialise hidden biases to 0 (or a small positive value such as 0.01) and weights with Kaiming scaling", "Strongly negative pre-activations put every unit in ReLU's flat zero region from the first step.");
        var leaky = Fixes.Code("use_leaky_relu", "Use LeakyReLU(0.01) or GELU instead of ReLU", "A small slope below zero lets dead units get a gradient and come back.");
        var lower = Fixes.ScaleLearningRate(run, DecreaseFactor, "Large steps push units into the dead region; a lower rate stops more from dying (it does not revive dead ones).");
        var how = diedTraining
            ? Text.Join($" They died during training (only {Text.Percent(_first)} were dead at the first update), which points at steps too large for the weights.")
            : Text.Join($" They were dead from the first update ({Text.Percent(_first)}), which points at the initialisation.");
        return new FindingContent(
            Text.Join($"{Text.Percent(median)} of the ReLU units output zero for every sample of the batch (median of the last {_shares.Count} samples at step {Text.F(_step)}; limit {Text.Percent(_options.DeadRelu)}).{how} Dead units pass no gradient, so they never recover and the network trains with a fraction of its width."),
            [
                new FindingEvidence(_name, median, _step, Text.Join($"median share of dead ReLU units over {_shares.Count} samples"), _options.DeadRelu),
                new FindingEvidence(_name, _first, _step, "share at the first update"),
            ],
            diedTraining ? [lower, leaky, init] : [init, leaky, lower]);
    }
}
