namespace TrainInsight.Internal;

/// <summary>An append-only list of events in offset order that can drop its oldest in O(1). Not thread-safe.</summary>
internal sealed class OffsetLog
{
    private readonly List<TrainInsightEvent> _items = [];
    private int _head;

    public int Count => _items.Count - _head;

    public void Add(TrainInsightEvent item) => _items.Add(item);

    public TrainInsightEvent RemoveFirst()
    {
        var item = _items[_head];
        _items[_head++] = null!;

        // Compact once the dead prefix is half the list: amortised O(1) per removal.
        if (_head > 1024 && _head * 2 > _items.Count)
        {
            _items.RemoveRange(0, _head);
            _head = 0;
        }

        return item;
    }

    public IEnumerable<TrainInsightEvent> Items()
    {
        for (var i = _head; i < _items.Count; i++)
        {
            yield return _items[i];
        }
    }

    /// <summary>Copies up to <paramref name="limit"/> events with an offset greater than <paramref name="afterOffset"/>.</summary>
    public List<TrainInsightEvent> CopyAfter(long afterOffset, int limit)
    {
        // Offsets increase along the list (not contiguously within one run): binary search for the first one after.
        int lo = _head, hi = _items.Count;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo) / 2);
            if (_items[mid].Offset <= afterOffset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        var count = Math.Min(limit, _items.Count - lo);
        return _items.GetRange(lo, count);
    }
}
