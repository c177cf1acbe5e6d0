using System.Runtime.CompilerServices;
namespace TrainInsight.Streaming.Rest;

/// <summary>
/// Min/max downsampling of one metric's points, fed one at a time in offset order, in memory bounded by the most points
/// to keep (never the whole series).
/// </summary>
/// <remarks>
/// <para>
/// Up to <c>maxPoints</c> points are kept as they are: a series that short is returned unchanged. Past that, the step range
/// from the series' first step to the run's last step (<c>stepRangeEnd</c>, or the latest step seen when it is later) is
/// split into <c>(maxPoints − 2) / 2</c> buckets of equal step width; each bucket keeps its minimum and its maximum point,
/// and the series' first and last points are kept too, so at most <c>maxPoints</c> points come out. The bucket bounds are
/// fixed when the series outgrows <c>maxPoints</c>: a later point measured after the range end goes to the last bucket,
/// one measured before the first step (steps that went backwards) to the first.
/// </para>
/// <para>
/// Non-finite values are spikes, never smoothed away: ±Infinity are the extremes they are, and NaN ranks below every
/// number (−Infinity included) for the bucket's minimum, so a bucket that holds a NaN keeps it, and keeps its largest value
/// (an +Infinity when there is one) as its maximum. Ties keep the earliest point.
/// </para>
/// </remarks>
internal sealed class MetricSeriesSampler
{
    private readonly int _maxPoints;
    private readonly long? _stepRangeEnd;
    private List<MetricPoint>? _raw = [];
    private long _count;
    private MetricPoint _first;
    private MetricPoint _last;
    private long _lastIndex;
    private long _maxStepSeen = long.MinValue;

    // Bucket mode (once the series has more than _maxPoints points).
    private int _bucketCount;
    private long _rangeStart;
    private Int128 _rangeWidth;
    private MetricPoint[] _min = [];
    private MetricPoint[] _max = [];
    private long[] _minIndex = [];
    private long[] _maxIndex = [];

    /// <summary>Initializes a new instance of the <see cref="MetricSeriesSampler"/> class.</summary>
    /// <param name="maxPoints">The most points to keep; at least 2.</param>
    /// <param name="stepRangeEnd">The last step the series is expected to reach (the run's last step), or <see langword="null"/> when unknown.</param>
    public MetricSeriesSampler(int maxPoints, long? stepRangeEnd)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        _maxPoints = maxPoints;
        _stepRangeEnd = stepRangeEnd;
    }

    /// <summary>Gets how many points were added.</summary>
    public long Count => _count;

    /// <summary>Gets a value indicating whether points are being left out (the series has more than the most to keep).</summary>
    public bool Downsampled => _raw is null;

    /// <summary>Adds the series' next point, in offset order.</summary>
    /// <param name="point">The point.</param>
    // Runs once per point of a request that is often a process's first (the dashboard opening a run): optimised at once,
    // not after tiering up, which a few requests over a million points never reach.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Add(in MetricPoint point)
    {
        var index = _count++;
        if (index == 0)
        {
            _first = point;
        }

        _last = point;
        _lastIndex = index;
        if (_raw is not null)
        {
            _maxStepSeen = Math.Max(_maxStepSeen, point.Step);
            if (_raw.Count < _maxPoints)
            {
                _raw.Add(point);
                return;
            }

            StartBuckets();
        }

        Bucket(point, index);
    }

    /// <summary>Writes the points kept, in the order they were added, to <paramref name="destination"/>.</summary>
    /// <param name="destination">Receives the points.</param>
    public void CopyTo(List<MetricPoint> destination)
    {
        if (_raw is not null)
        {
            destination.AddRange(_raw);
            return;
        }

        var kept = new List<(long Index, MetricPoint Point)>((2 * _bucketCount) + 2) { (0, _first), (_lastIndex, _last) };
        for (var b = 0; b < _bucketCount; b++)
        {
            if (_minIndex[b] >= 0)
            {
                kept.Add((_minIndex[b], _min[b]));
            }

            if (_maxIndex[b] >= 0 && _maxIndex[b] != _minIndex[b])
            {
                kept.Add((_maxIndex[b], _max[b]));
            }
        }

        kept.Sort((x, y) => x.Index.CompareTo(y.Index));
        for (var i = 0; i < kept.Count; i++)
        {
            if (i == 0 || kept[i].Index != kept[i - 1].Index)
            {
                destination.Add(kept[i].Point);
            }
        }
    }

    /// <summary>Is <paramref name="a"/> a lower minimum than <paramref name="b"/>? NaN first, then by value.</summary>
    internal static bool IsLower(double a, double b) => double.IsNaN(a) ? !double.IsNaN(b) : !double.IsNaN(b) && a < b;

    /// <summary>Is <paramref name="a"/> a higher maximum than <paramref name="b"/>? By value; NaN never is.</summary>
    internal static bool IsHigher(double a, double b) => !double.IsNaN(a) && (double.IsNaN(b) || a > b);

    private void StartBuckets()
    {
        var raw = _raw!;
        _raw = null;

        // First and last are kept apart, so the buckets share what is left: 2 points each.
        _bucketCount = (_maxPoints - 2) / 2;
        _rangeStart = _first.Step;
        var end = Math.Max(_stepRangeEnd ?? long.MinValue, _maxStepSeen);
        _rangeWidth = end >= _rangeStart ? (Int128)end - _rangeStart + 1 : 1;
        _min = new MetricPoint[_bucketCount];
        _max = new MetricPoint[_bucketCount];
        _minIndex = new long[_bucketCount];
        _maxIndex = new long[_bucketCount];
        Array.Fill(_minIndex, -1);
        Array.Fill(_maxIndex, -1);
        for (var i = 0; i < raw.Count; i++)
        {
            Bucket(raw[i], i);
        }
    }

    // Runs once per point of a request that is often a process's first (the dashboard opening a run): optimised at once,
    // not after tiering up, which a few requests over a million points never reach.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Bucket(in MetricPoint point, long index)
    {
        if (_bucketCount == 0)
        {
            return;
        }

        var offset = point.Step <= _rangeStart ? 0 : (Int128)point.Step - _rangeStart;
        var bucket = (int)Int128.Min(offset * _bucketCount / _rangeWidth, _bucketCount - 1);
        if (_minIndex[bucket] < 0 || IsLower(point.Value, _min[bucket].Value))
        {
            _min[bucket] = point;
            _minIndex[bucket] = index;
        }

        if (_maxIndex[bucket] < 0 || IsHigher(point.Value, _max[bucket].Value))
        {
            _max[bucket] = point;
            _maxIndex[bucket] = index;
        }
    }
}
