namespace TrainInsight.Llm.Tests.Infrastructure;

/// <summary>Synthetic loss curves.</summary>
internal static class Series
{
    /// <summary>A loss that falls by <paramref name="ratio"/> each sample: start, start*ratio, ...</summary>
    public static IEnumerable<double> Decaying(int count, double start = 2.0, double ratio = 0.95) =>
        Enumerable.Range(0, count).Select(i => start * Math.Pow(ratio, i));

    /// <summary>A constant loss with a small alternating wobble.</summary>
    public static IEnumerable<double> Flat(int count, double value = 0.5, double wobble = 0.001) =>
        Enumerable.Range(0, count).Select(i => value + (i % 2 == 0 ? wobble : -wobble));
}
