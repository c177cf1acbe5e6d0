namespace TrainInsight.Diagnostics.Internal;

/// <summary>The median <c>batch_class_share</c> of the last <see cref="DataOptions.Window"/> samples is at least <see cref="DataOptions.MaxClassShare"/>.</summary>
internal sealed class UnshuffledDataDetector(DiagnosticsOptions options)
    : ShareDetector(FindingLabels.UnshuffledData, Signal.BatchClassShare, options.Data.Window, options.Data.MaxClassShare)
{
    public override FindingContent Describe(RunDiagnosis run) => new(
        Text.Join($"A median {Text.Percent(Median)} of each sampled batch belongs to one class (last {Shares.Count} samples at step {Text.F(Step)}; limit {Text.Percent(Threshold)}): the training data is ordered by class and not shuffled. Each stretch of steps then pulls the model towards one class and the next undoes it."),
        [MedianEvidence("share of the most common class")],
        [
            Fixes.Code("shuffle_data", "Shuffle the training set every epoch (shuffle: true in the data loader, or a random permutation of the indices per epoch)", "Mixed batches give gradients that represent every class at every step."),
        ]);
}
