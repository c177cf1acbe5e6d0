namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// Turns a TensorBoard event's values into metric values: scalars by their (mapped) tag, histograms as their summary
/// (<c>&lt;tag&gt;/mean</c>, <c>/std</c>, <c>/min</c>, <c>/max</c>). Images, text, audio and hparams are not metrics.
/// </summary>
internal sealed class MetricMapper(IEnumerable<KeyValuePair<string, string>> tagMap)
{
    private readonly Dictionary<string, string> _tagMap = new(tagMap, StringComparer.Ordinal);

    /// <summary>The event's metric values, or <see langword="null"/> when it carries none.</summary>
    public Dictionary<string, double>? Map(TensorBoardEvent e)
    {
        Dictionary<string, double>? values = null;
        foreach (var value in e.Values)
        {
            var name = _tagMap.TryGetValue(value.Tag, out var mapped) ? mapped : value.Tag;
            if (value.Kind == TensorBoardValueKind.Scalar)
            {
                values ??= new Dictionary<string, double>(StringComparer.Ordinal);
                values[name] = value.Value;
            }
            else if (value is { Kind: TensorBoardValueKind.Histogram, Histogram: { Count: > 0 } histogram })
            {
                // A histogram (weights, gradients, activations) as its summary: <name>/mean, /std, /min, /max.
                values ??= new Dictionary<string, double>(StringComparer.Ordinal);
                var mean = histogram.Sum / histogram.Count;
                values[name + "/mean"] = mean;
                values[name + "/std"] = Math.Sqrt(Math.Max(0, (histogram.SumSquares / histogram.Count) - (mean * mean)));
                values[name + "/min"] = histogram.Min;
                values[name + "/max"] = histogram.Max;
            }
        }

        return values;
    }

    /// <summary>An event file's wall time as a timestamp, or <see langword="null"/> (the bus then stamps it) when it is not one.</summary>
    public static DateTimeOffset? WallTime(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds < 253_402_300_799
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : null;
}
