namespace TrainInsight.Torch.Internal;

/// <summary>The best validation accuracy of a run so far (epoch ends and evaluate commands alike).</summary>
internal sealed class BestAccuracy
{
    /// <summary>Gets the best accuracy, or NaN before the first.</summary>
    public double Value { get; private set; } = double.NaN;

    /// <summary>Takes a new accuracy into account; returns the best so far.</summary>
    public double Observe(double accuracy)
    {
        if (double.IsNaN(Value) || accuracy > Value)
        {
            Value = accuracy;
        }

        return Value;
    }
}
