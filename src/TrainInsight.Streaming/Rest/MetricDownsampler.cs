using System.Runtime.CompilerServices;
namespace TrainInsight.Streaming.Rest;

/// <summary>
/// Downsamples a run's metric points, each metric on its own (<see cref="MetricSeriesSampler"/>), to at most a given
/// number of points per metric, keeping each step bucket's minimum and maximum, non-finite values, and every metric's
/// first and last point. Points are fed in the store's order (offset, then name) and come back in that order.
/// </summary>
internal sealed class MetricDownsampler
{
    private readonly int _maxPoints;
    private readonly long? _stepRangeEnd;
    private readonly Dictionary<string, MetricSeriesSampler> _series = new(StringComparer.Ordinal);
    private long _count;

    /// <summary>Initializes a new instance of the <see cref="MetricDownsampler"/> class.</summary>
    /// <param name="maxPoints">The most points to keep per metric; at least 2.</param>
    /// <param name="stepRangeEnd">The run's last step (where every metric's buckets end), or <see langword="null"/> when unknown.</param>
    public MetricDownsampler(int maxPoints, long? stepRangeEnd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        _maxPoints = maxPoints;
        _stepRangeEnd = stepRangeEnd;
    }

    /// <summary>Gets how many points were added, every metric together.</summary>
    public long Count => _count;

    /// <summary>Adds the next point, in offset order.</summary>
    /// <param name="point">The point.</param>
    // Runs once per point of a request that is often a process's first (the dashboard opening a run): optimised at once,
    // not after tiering up, which a few requests over a million points never reach.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(in MetricPoint point)
    {
        if (!_series.TryGetValue(point.Name, out var series))
        {
            series = new MetricSeriesSampler(_maxPoints, _stepRangeEnd);
            _series.Add(point.Name, series);
        }

        series.Add(point);
        _count++;
    }

    /// <summary>Gets the points kept, in offset order, then by name within an event.</summary>
    /// <returns>The points and what was left out.</returns>
    public DownsampledPoints Complete()
    {
        var points = new List<MetricPoint>();
        var downsampled = false;
        foreach (var series in _series.Values)
        {
            series.CopyTo(points);
            downsampled |= series.Downsampled;
        }

        // Each series is in offset order already; (offset, name) is unique and is the store's order.
        points.Sort(static (x, y) =>
        {
            var byOffset = x.Offset.CompareTo(y.Offset);
            return byOffset != 0 ? byOffset : string.CompareOrdinal(x.Name, y.Name);
        });
        return new DownsampledPoints(points, _count, downsampled);
    }
}
