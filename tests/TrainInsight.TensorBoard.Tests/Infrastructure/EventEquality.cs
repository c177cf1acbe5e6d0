namespace TrainInsight.TensorBoard.Tests.Infrastructure;

/// <summary>Field-by-field equality of decoded events (doubles compared bit for bit, so NaN equals the same NaN).</summary>
internal static class EventEquality
{
    public static bool Same(TensorBoardEvent? a, TensorBoardEvent? b) =>
        a is null || b is null
            ? a is null && b is null
            : Same(a.WallTime, b.WallTime) && a.Step == b.Step && a.FileVersion == b.FileVersion && a.Content == b.Content
              && a.Values.Count == b.Values.Count && a.Values.Zip(b.Values).All(p => Same(p.First, p.Second));

    public static bool Same(TensorBoardValue a, TensorBoardValue b) =>
        a.Tag == b.Tag && a.Kind == b.Kind && Same(a.Value, b.Value) && a.Text == b.Text && a.PluginName == b.PluginName
        && a.ImageWidth == b.ImageWidth && a.ImageHeight == b.ImageHeight && Same(a.Histogram, b.Histogram);

    private static bool Same(TensorBoardHistogram? a, TensorBoardHistogram? b) =>
        a is null || b is null
            ? a is null && b is null
            : Same(a.Min, b.Min) && Same(a.Max, b.Max) && Same(a.Count, b.Count) && Same(a.Sum, b.Sum) && Same(a.SumSquares, b.SumSquares)
              && a.BucketLimits.SequenceEqual(b.BucketLimits) && a.BucketCounts.SequenceEqual(b.BucketCounts);

    private static bool Same(double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b);
}
