using System.Globalization;

namespace TrainInsight.Llm.Internal;

/// <summary>Culture-independent, compact number formatting for findings and prompts.</summary>
internal static class Numbers
{
    /// <summary>Formats a value with up to 5 significant digits: "0.43215", "1.2346E+05", "NaN", "Infinity".</summary>
    public static string Format(double value) => value.ToString("G5", CultureInfo.InvariantCulture);

    /// <summary>Formats a value with at most <paramref name="decimals"/> decimals: "3.3", "0.4", "-12".</summary>
    public static string Format(double value, int decimals) => Math.Round(value, decimals).ToString(CultureInfo.InvariantCulture);

    /// <summary>Formats an integer with no separators.</summary>
    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Returns the finite points only.</summary>
    public static List<MetricSample> Finite(IReadOnlyList<MetricSample> points) => [.. points.Where(p => double.IsFinite(p.Value))];

    /// <summary>Returns the mean of the values of <paramref name="points"/> from <paramref name="start"/>, <paramref name="count"/> of them.</summary>
    public static double Mean(List<MetricSample> points, int start, int count)
    {
        var sum = 0.0;
        for (var i = start; i < start + count; i++)
        {
            sum += points[i].Value;
        }

        return sum / count;
    }
}
