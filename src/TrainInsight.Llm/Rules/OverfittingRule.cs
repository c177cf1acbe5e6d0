using TrainInsight.Llm.Internal;

namespace TrainInsight.Llm.Rules;

/// <summary>Reports <c>val_loss</c> rising epoch after epoch while <c>train_loss</c> keeps falling.</summary>
internal sealed class OverfittingRule : ITrainingRule
{
    public Finding? Evaluate(RunHistory history, IReadOnlyList<Finding> found)
    {
        var epochs = history.Epochs
            .Where(e => e.Get(MetricNames.ValLoss) is { } v && double.IsFinite(v) && e.Get(MetricNames.TrainLoss) is { } t && double.IsFinite(t))
            .ToList();
        if (epochs.Count < 3)
        {
            return null;
        }

        var (a, b, c) = (epochs[^3], epochs[^2], epochs[^1]);
        var (va, vb, vc) = (a.Get(MetricNames.ValLoss)!.Value, b.Get(MetricNames.ValLoss)!.Value, c.Get(MetricNames.ValLoss)!.Value);
        var (ta, tb, tc) = (a.Get(MetricNames.TrainLoss)!.Value, b.Get(MetricNames.TrainLoss)!.Value, c.Get(MetricNames.TrainLoss)!.Value);
        if (!(va < vb && vb < vc && ta > tb && tb > tc))
        {
            return null;
        }

        return new Finding(
            FindingCodes.Overfitting,
            FindingSeverity.Warning,
            $"val_loss rose for 2 epochs ({Numbers.Format(va)}, {Numbers.Format(vb)}, {Numbers.Format(vc)} in epochs " +
            $"{Numbers.Format(a.Epoch)}-{Numbers.Format(c.Epoch)}) while train_loss fell ({Numbers.Format(ta)}, {Numbers.Format(tb)}, " +
            $"{Numbers.Format(tc)}). The model is overfitting: keep the checkpoint of epoch {Numbers.Format(a.Epoch)} or earlier, stop " +
            "early, or add regularization or data augmentation.");
    }
}
