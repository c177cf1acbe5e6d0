namespace TrainInsight.Torch.Internal;

/// <summary>The training losses read in the current epoch, and what an epoch end publishes. Training thread only.</summary>
internal sealed class EpochLoss
{
    private double _sum;
    private int _count;

    public void Reset()
    {
        _sum = 0;
        _count = 0;
    }

    public void Add(double loss)
    {
        _sum += loss;
        _count++;
    }

    /// <summary>
    /// The epoch's summary (its mean training loss, the validation results, the best accuracy so far) and, when it was
    /// validated, the metric update of the validation values.
    /// </summary>
    public (Dictionary<string, double> Summary, Dictionary<string, double>? Values) Summarize(double? validationLoss, double? validationAccuracy, BestAccuracy best)
    {
        var summary = new Dictionary<string, double>(StringComparer.Ordinal);
        if (_count > 0)
        {
            summary[MetricNames.TrainLoss] = _sum / _count;
        }

        if (validationLoss is { } loss)
        {
            summary[MetricNames.ValLoss] = loss;
        }

        if (validationAccuracy is { } accuracy)
        {
            summary[MetricNames.ValAccuracy] = accuracy;
            best.Observe(accuracy);
        }

        if (!double.IsNaN(best.Value))
        {
            summary[MetricNames.BestAccuracy] = best.Value;
        }

        if (validationLoss is null && validationAccuracy is null)
        {
            return (summary, null);
        }

        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (validationLoss is { } vl)
        {
            values[MetricNames.ValLoss] = vl;
        }

        if (validationAccuracy is { } va)
        {
            values[MetricNames.ValAccuracy] = va;
            values[MetricNames.BestAccuracy] = best.Value;
        }

        return (summary, values);
    }
}
