namespace TrainInsight.Llm.Internal.Context;

/// <summary>
/// One metric's series folded in one pass, in bounded memory: count, first, last, minimum and maximum with their steps, the
/// latest points (for trends) and an evenly thinned overview.
/// </summary>
internal sealed class SeriesSummary
{
    /// <summary>The most recent points kept for the trend window.</summary>
    public const int TailCapacity = 256;

    /// <summary>The most points of the overview; when full, every other point is dropped and the stride doubles.</summary>
    public const int OverviewCapacity = 128;

    private readonly Queue<MetricSample> _tail = new(TailCapacity);
    private readonly List<MetricSample> _overview = new(OverviewCapacity);
    private long _stride = 1;

    public SeriesSummary(string name) => Name = name;

    public string Name { get; }

    /// <summary>Gets how many finite points were folded.</summary>
    public long Count { get; private set; }

    /// <summary>Gets how many points were NaN or infinite.</summary>
    public long NonFinite { get; private set; }

    public MetricSample First { get; private set; }

    public MetricSample Last { get; private set; }

    public MetricSample Min { get; private set; }

    public MetricSample Max { get; private set; }

    /// <summary>Gets the step of the last point, finite or not, or -1 when there is none.</summary>
    public long LastStep { get; private set; } = -1;

    /// <summary>Gets the last value, finite or not (a NaN loss is news).</summary>
    public double LastValue { get; private set; } = double.NaN;

    public IReadOnlyCollection<MetricSample> Tail => _tail;

    public IReadOnlyList<MetricSample> Overview => _overview;

    public void Add(long step, double value)
    {
        LastStep = step;
        LastValue = value;
        if (!double.IsFinite(value))
        {
            NonFinite++;
            return;
        }

        var sample = new MetricSample(step, value);
        if (Count == 0)
        {
            First = Min = Max = sample;
        }
        else
        {
            if (value < Min.Value)
            {
                Min = sample;
            }

            if (value > Max.Value)
            {
                Max = sample;
            }
        }

        if (Count % _stride == 0)
        {
            if (_overview.Count == OverviewCapacity)
            {
                for (var i = 0; i < OverviewCapacity / 2; i++)
                {
                    _overview[i] = _overview[i * 2];
                }

                _overview.RemoveRange(OverviewCapacity / 2, OverviewCapacity / 2);
                _stride *= 2;
            }

            if (Count % _stride == 0)
            {
                _overview.Add(sample);
            }
        }

        Count++;
        Last = sample;
        if (_tail.Count == TailCapacity)
        {
            _tail.Dequeue();
        }

        _tail.Enqueue(sample);
    }

    /// <summary>
    /// The trend over the latest points: a least-squares slope per step and the relative change between the window's first
    /// and second half, or <see langword="null"/> with fewer than 6 points.
    /// </summary>
    public SeriesTrend? Trend()
    {
        var window = (int)Math.Min(_tail.Count, Math.Max(6, Count / 5));
        if (window < 6)
        {
            return null;
        }

        var points = _tail.Skip(_tail.Count - window).ToArray();
        double meanX = 0, meanY = 0;
        foreach (var p in points)
        {
            meanX += p.Step;
            meanY += p.Value;
        }

        meanX /= window;
        meanY /= window;
        double sxy = 0, sxx = 0, syy = 0;
        foreach (var p in points)
        {
            sxy += (p.Step - meanX) * (p.Value - meanY);
            sxx += (p.Step - meanX) * (p.Step - meanX);
            syy += (p.Value - meanY) * (p.Value - meanY);
        }

        var half = window / 2;
        var firstHalf = points.Take(half).Average(p => p.Value);
        var secondHalf = points.Skip(half).Average(p => p.Value);
        var relative = Math.Abs(firstHalf) > 1e-12 ? (secondHalf - firstHalf) / Math.Abs(firstHalf) : 0;
        var std = Math.Sqrt(syy / window);
        return new SeriesTrend(window, points[0].Step, points[^1].Step, sxx > 0 ? sxy / sxx : 0, relative, meanY, std);
    }
}

/// <summary>One point of a series.</summary>
internal readonly record struct MetricSample(long Step, double Value);

/// <summary>A series' trend over its latest <see cref="Points"/> points.</summary>
internal readonly record struct SeriesTrend(int Points, long FromStep, long ToStep, double SlopePerStep, double RelativeChange, double Mean, double Std)
{
    /// <summary>"falling", "rising" or "flat" (a relative change under 2 %).</summary>
    public string Direction => Math.Abs(RelativeChange) < 0.02 ? "flat" : RelativeChange < 0 ? "falling" : "rising";
}
