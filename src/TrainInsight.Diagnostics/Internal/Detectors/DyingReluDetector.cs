namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median <c>dead_relu</c> share of the last <see cref="ActivationOptions.Window"/> samples is at least <see cref="ActivationOptions.DeadRelu"/>.</summary>
internal sealed class DyingReluDetector(DiagnosticsOptions options)
    : ShareDetector(FindingLabels.DyingRelu, Signal.DeadRelu, options.Activations.Window, options.Activations.DeadRelu)
{
    private const double DecreaseFactor = 0.1;

    public override IReadOnlyList<string> ExplainedBy { get; } = [FindingLabels.Divergence];

    public override FindingContent Describe(RunDiagnosis run)
    {
        var diedTraining = First < Threshold;
        var init = Fixes.Code("fix_bias_initialisation", "Initialise hidden biases to 0 (or a small positive value such as 0.01) and weights with Kaiming scaling", "Strongly negative pre-activations put every unit in ReLU's flat zero region from the first step.");
        var leaky = Fixes.Code("use_leaky_relu", "Use LeakyReLU(0.01) or GELU instead of ReLU", "A small slope below zero lets dead units get a gradient and come back.");
        var lower = Fixes.ScaleLearningRate(run, DecreaseFactor, "Large steps push units into the dead region; a lower rate stops more from dying (it does not revive dead ones).");
        var how = diedTraining
            ? Text.Join($" They died during training (only {Text.Percent(First)} were dead at the first update), which points at steps too large for the weights.")
            : Text.Join($" They were dead from the first update ({Text.Percent(First)}), which points at the initialisation.");
        return new FindingContent(
            Text.Join($"{Text.Percent(Median)} of the ReLU units output zero for every sample of the batch (median of the last {Shares.Count} samples at step {Text.F(Step)}; limit {Text.Percent(Threshold)}).{how} Dead units pass no gradient, so they never recover and the network trains with a fraction of its width."),
            [
                MedianEvidence("share of dead ReLU units"),
                new FindingEvidence(SignalName, First, Step, "share at the first update"),
            ],
            // Dead from the start, a lower rate cannot revive them (measured: no gain on the diagnosis benchmark's runs).
            diedTraining ? [lower, leaky, init] : [init, leaky]);
    }
}
