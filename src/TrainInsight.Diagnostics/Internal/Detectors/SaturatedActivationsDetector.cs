namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median <c>saturation</c> share of the last <see cref="ActivationOptions.Window"/> samples is at least <see cref="ActivationOptions.Saturation"/>.</summary>
internal sealed class SaturatedActivationsDetector(DiagnosticsOptions options)
    : ShareDetector(FindingLabels.SaturatedActivations, Signal.Saturation, options.Activations.Window, options.Activations.Saturation)
{
    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence, FindingLabels.UnnormalizedInput];

    public override FindingContent Describe(RunDiagnosis run) => new(
        Text.Join($"{Text.Percent(Median)} of the sigmoid/tanh outputs sit in their flat tails (median of the last {Shares.Count} samples at step {Text.F(Step)}; limit {Text.Percent(Threshold)}). A saturated unit's slope is near zero, so almost no gradient flows through it."),
        [MedianEvidence("share of saturated outputs")],
        [
            Fixes.Code("fix_initialisation", "Initialise with Xavier/Glorot scaling (std = √(2 / (fan_in + fan_out))) instead of large random weights", "Large weights give pre-activations of tens, deep in the tails where the slope is near zero."),
            Fixes.Code("add_normalisation", "Add batch normalisation before the activations", "It keeps pre-activations near zero, where sigmoid and tanh are steep."),
            Fixes.Code("use_relu", "Use ReLU or GELU for hidden layers", "They do not saturate for positive inputs."),
        ]);
}
