namespace TrainInsight.Llm.Tests.Infrastructure;

/// <summary>Synthetic loss curves.</summary>
internal static class Series
{
    /// <summary>A loss that falls by <paramref name="ratio"/> each sample: start, start*ratio, ...</summary>
    public static IEnumerable<double> Decaying(int count, double start = 2.0, double ratio = 0.95) =>
        Enumerable.Range(0, count).Select(i => start * Math.Pow(ratio, i));

    /// <summary>
    /// A healthy but noisy mini-batch loss: an exponential decay from <paramref name="start"/> to <paramref name="end"/>
    /// over <paramref name="count"/> samples, each times (1 + <paramref name="noise"/>·z) with z standard normal (Box-Muller
    /// from a <see cref="Random"/> seeded with <paramref name="seed"/>, so the series is the same on every run), kept positive.
    /// </summary>
    public static double[] Noisy(int count, int seed, double start = 2.3, double end = 0.3, double noise = 0.2)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            var level = start * Math.Pow(end / start, i / (double)(count - 1));
            var u1 = 1.0 - random.NextDouble();   // (0, 1]: the logarithm stays finite
            var u2 = random.NextDouble();
            var z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            values[i] = Math.Max(level * (1.0 + (noise * z)), 1e-3);
        }

        return values;
    }

    /// <summary>A constant loss with a small alternating wobble.</summary>
    public static IEnumerable<double> Flat(int count, double value = 0.5, double wobble = 0.001) =>
        Enumerable.Range(0, count).Select(i => value + (i % 2 == 0 ? wobble : -wobble));
}
