namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median <c>saturation</c> share of the last <see cref="ActivationOptions.Window"/> samples is at least <see cref="ActivationOptions.Saturation"/>.</summary>
internal sealed class SaturatedActivationsDetector : Detector
{
    private readonly ActivationOptions _options;
    private readonly RollingWindow _shares;
    private long _step;
    private string _name = MetricNames.Saturation;

    public SaturatedActivationsDetector(DiagnosticsOptions options)
        : base(FindingLabels.SaturatedActivations, FindingSeverity.Warning)
    {
        _options = options.Activations;
        _shares = new RollingWindow(_options.Window);
    }

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence, FindingLabels.UnnormalizedInput];

    public override string NeededSignals => "saturation";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.Saturation);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(Signal.Saturation) || !double.IsFinite(frame[Signal.Saturation]))
        {
            return;
        }

        _name = frame.NameOf(Signal.Saturation);
        _step = frame.Step;
        _shares.Add(frame[Signal.Saturation]);
        var median = _shares.Median();
        Confidence = Math.Min(1, 0.5 + (median / 2));
        Judge(median >= _options.Saturation, median / _options.Saturation);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var median = _shares.Median();
        return new FindingContent(
            Text.Join($"{Text.Percent(median)} of the sigmoid/tanh outputs sit in their flat tails (median of the last {_shares.Count} samples at step {Text.F(_step)}; limit {Text.Percent(_options.Saturation)}). A saturated unit's slope is near zero, so almost no gradient flows through it."),
            [new FindingEvidence(_name, median, _step, Text.Join($"median share of saturated outputs over {_shares.Count} samples"), _options.Saturation)],
            [
                Fixes.Code("fix_initialisation", "Initialise with Xavier/Glorot scaling (std = √(2 / (fan_in + fan_out))) instead of large random weights", "Large weights give pre-activations of tens, deep in the tails where the slope is near zero."),
                Fixes.Code("add_normalisation", "Add batch normalisation before the activations", "It keeps pre-activations near zero, where sigmoid and tanh are steep."),
                Fixes.Code("use_relu", "Use ReLU or GELU for hidden layers", "They do not saturate for positive inputs."),
            ]);
    }
}
