namespace TrainInsight.TensorBoard;

/// <summary>A histogram summary value.</summary>
public sealed class TensorBoardHistogram
{
    /// <summary>Gets the smallest value.</summary>
    public double Min { get; init; }

    /// <summary>Gets the largest value.</summary>
    public double Max { get; init; }

    /// <summary>Gets how many values the histogram counts.</summary>
    public double Count { get; init; }

    /// <summary>Gets the sum of the values.</summary>
    public double Sum { get; init; }

    /// <summary>Gets the sum of the squares of the values.</summary>
    public double SumSquares { get; init; }

    /// <summary>Gets each bucket's upper edge, in order.</summary>
    public IReadOnlyList<double> BucketLimits { get; init; } = [];

    /// <summary>Gets each bucket's count, in the order of <see cref="BucketLimits"/>.</summary>
    public IReadOnlyList<double> BucketCounts { get; init; } = [];
}
