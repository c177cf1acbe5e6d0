namespace TrainInsight.Internal;

/// <summary>A fixed-capacity ring of the latest dispatched events, which have contiguous offsets. Not thread-safe.</summary>
internal sealed class HistoryRing(int capacity)
{
    private readonly TrainInsightEvent[] _items = new TrainInsightEvent[capacity];
    private int _start;
    private int _count;

    public int Count => _count;

    public int Capacity => _items.Length;

    /// <summary>Gets the offset of the oldest event kept, or 0 when empty.</summary>
    public long OldestOffset => _count == 0 ? 0 : _items[_start].Offset;

    public void Add(TrainInsightEvent item)
    {
        // Wrapped by comparison, not '%': this runs once per dispatched event.
        if (_count < _items.Length)
        {
            var index = _start + _count;
            _items[index >= _items.Length ? index - _items.Length : index] = item;
            _count++;
        }
        else
        {
            _items[_start] = item;
            _start = _start + 1 == _items.Length ? 0 : _start + 1;
        }
    }

    /// <summary>Copies the events after <paramref name="afterOffset"/>, oldest first, that satisfy <paramref name="runId"/>.</summary>
    public List<TrainInsightEvent> CopyAfter(long afterOffset, string? runId)
    {
        var result = new List<TrainInsightEvent>();
        if (_count == 0)
        {
            return result;
        }

        // Offsets in the ring are contiguous, so the first index to copy is computed, not searched.
        var skip = afterOffset < OldestOffset ? 0 : (int)Math.Min(_count, afterOffset - OldestOffset + 1);
        for (var i = skip; i < _count; i++)
        {
            var item = _items[(_start + i) % _items.Length];
            if (runId is null || string.Equals(item.RunId, runId, StringComparison.Ordinal))
            {
                result.Add(item);
            }
        }

        return result;
    }
}
