namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// The latest values of a series in a fixed ring: O(1) to add, with a running sum and sum of squares so that the mean and
/// the standard deviation of the whole window are O(1) too; no allocation after construction.
/// </summary>
internal sealed class RollingWindow
{
    private readonly double[] _items;
    private readonly double[] _scratch;
    private int _next;
    private double _sum;
    private double _sumOfSquares;

    public RollingWindow(int capacity)
    {
        _items = new double[capacity];
        _scratch = new double[capacity];
    }

    public int Capacity => _items.Length;

    public int Count { get; private set; }

    public bool IsFull => Count == _items.Length;

    /// <summary>The value added <paramref name="back"/> values ago (0 = the latest).</summary>
    public double this[int back]
    {
        get
        {
            var index = _next - 1 - back;
            return _items[index < 0 ? index + _items.Length : index];
        }
    }

    public double Latest => this[0];

    public void Add(double value)
    {
        if (Count == _items.Length)
        {
            var evicted = _items[_next];
            _sum -= evicted;
            _sumOfSquares -= evicted * evicted;
        }
        else
        {
            Count++;
        }

        _items[_next] = value;
        _sum += value;
        _sumOfSquares += value * value;
        _next = _next + 1 == _items.Length ? 0 : _next + 1;
    }

    public void Clear()
    {
        Count = 0;
        _next = 0;
        _sum = 0;
        _sumOfSquares = 0;
    }

    /// <summary>The mean of the <paramref name="count"/> values that end <paramref name="skip"/> values before the latest.</summary>
    public double Mean(int count, int skip = 0)
    {
        var sum = 0.0;
        for (var i = 0; i < count; i++)
        {
            sum += this[skip + i];
        }

        return sum / count;
    }

    public double Mean() => _sum / Count;

    /// <summary>The population standard deviation of the values held.</summary>
    public double StandardDeviation()
    {
        var mean = _sum / Count;
        return Math.Sqrt(Math.Max(0, (_sumOfSquares / Count) - (mean * mean)));
    }

    /// <summary>The median of the latest <paramref name="count"/> values (insertion sort on a scratch copy: no allocation).</summary>
    public double Median(int count)
    {
        count = Math.Min(count, Count);
        for (var i = 0; i < count; i++)
        {
            var value = this[i];
            var j = i - 1;
            while (j >= 0 && _scratch[j] > value)
            {
                _scratch[j + 1] = _scratch[j];
                j--;
            }

            _scratch[j + 1] = value;
        }

        return count % 2 == 1 ? _scratch[count / 2] : (_scratch[(count / 2) - 1] + _scratch[count / 2]) / 2;
    }

    public double Median() => Median(Count);

    /// <summary>The share of the latest <paramref name="changes"/> sample-to-sample changes that are rises.</summary>
    public double RiseShare(int changes)
    {
        changes = Math.Min(changes, Count - 1);
        if (changes <= 0)
        {
            return 0;
        }

        var rises = 0;
        for (var i = 0; i < changes; i++)
        {
            if (this[i] > this[i + 1])
            {
                rises++;
            }
        }

        return (double)rises / changes;
    }
}
