using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.DiagnosisBenchmark.Models;

namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>
/// "Code fix from the start": the recipe a scenario trains with once its fault is removed, as the finding's code-change fix
/// says (call zero_grad, shuffle, normalise, a standard architecture, clean labels, no loader delay; a healthy learning
/// rate for the learning-rate faults; for overfitting the standard network with weight decay 5e-4). A plateau has none
/// (it would need a schedule, which is a live fix here).
/// </summary>
internal static class CodeFixes
{
    public static (ScenarioSpec Spec, string Change)? For(ScenarioSpec spec, string family)
    {
        var recipe = spec.ForFamily(family);
        var healthyRate = recipe.Optimizer == OptimizerKind.Adam ? 1e-3 : 0.05;
        return spec.Label switch
        {
            FindingLabels.VanishingGradients or FindingLabels.ExplodingGradients or FindingLabels.DyingRelu or FindingLabels.SaturatedActivations =>
                (recipe.WithoutFault(), "standard ReLU network with default initialisation"),
            FindingLabels.LabelNoise => (recipe.WithoutFault(), "clean training labels"),
            FindingLabels.UnnormalizedInput => (recipe.WithoutFault(), "pixels scaled to 0..1"),
            FindingLabels.UnshuffledData => (recipe.WithoutFault(), "training data shuffled every epoch"),
            FindingLabels.MissingZeroGrad => (recipe.WithoutFault(), "optimizer.zero_grad() before every backward pass"),
            FindingLabels.DataLoaderBottleneck => (recipe.WithoutFault(), "no sleep in the data loader"),
            FindingLabels.Overfitting => (recipe.WithoutFault() with { WeightDecay = 5e-4 }, "standard (smaller) network and weight decay 5e-4"),
            FindingLabels.Divergence or FindingLabels.LearningRateTooHigh or FindingLabels.LearningRateTooLow =>
                (recipe.WithoutFault() with { LearningRate = healthyRate, Momentum = 0, BatchSize = 64 }, $"the healthy recipe's learning rate ({recipe.OptimizerName} {healthyRate:G3}, batch 64)"),
            _ => null,
        };
    }

    /// <summary>Whether two recipes train identically (same data, model, optimizer and loop) up to their epoch counts.</summary>
    public static bool SameRecipe(ScenarioSpec a, ScenarioSpec b) =>
        a.Optimizer == b.Optimizer && a.LearningRate == b.LearningRate && a.Momentum == b.Momentum && a.WeightDecay == b.WeightDecay
        && a.BatchSize == b.BatchSize && a.TrainSize == b.TrainSize && a.ValSize == b.ValSize && a.Architecture == b.Architecture
        && a.LabelNoise == b.LabelNoise && a.RawPixels == b.RawPixels && a.SortedUnshuffled == b.SortedUnshuffled
        && a.LoaderDelayMs == b.LoaderDelayMs && a.SkipZeroGrad == b.SkipZeroGrad && a.SpikeFactor == b.SpikeFactor
        && a.MaxStepsPerEpoch == b.MaxStepsPerEpoch && a.Architecture == Architecture.Standard;
}
