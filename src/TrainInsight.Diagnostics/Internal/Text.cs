using System.Globalization;

namespace TrainInsight.Diagnostics.Internal;

/// <summary>Numbers as findings write them: invariant, at most 4 significant digits, NaN and infinities by name.</summary>
internal static class Text
{
    public static string F(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Infinity";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Infinity";
        }

        var abs = Math.Abs(value);
        return abs != 0 && (abs < 1e-4 || abs >= 1e6)
            ? value.ToString("0.###e+0", CultureInfo.InvariantCulture)
            : value.ToString("0.####", CultureInfo.InvariantCulture);
    }

    public static string F(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static string Percent(double share) => (share * 100).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    public static string Times(double ratio) => F(ratio) + "×";

    public static string Join(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
