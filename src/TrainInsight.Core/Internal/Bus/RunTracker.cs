namespace TrainInsight.Internal;

/// <summary>
/// The bus's view of one run: the counter that numbers its events, when it was last heard from, and its current
/// snapshot (state and position through a <see cref="RunSummary"/>, plus the latest value of every metric). Used under
/// the bus's gate only.
/// </summary>
internal sealed class RunTracker
{
    // The latest value of each metric name, in a slot per name. Trainers publish dictionaries of the same shape (same key
    // instances, same order) again and again, so the slots of the last shape are remembered and matched by reference: no
    // string hashing per value on the hot path.
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private double[] _values = new double[16];
    private string[] _shapeKeys = [];
    private int[] _shapeSlots = [];

    public RunTracker(RunDescriptor run, DateTimeOffset firstEventAt, long recoveredSequence)
    {
        Summary = new RunSummary(run, firstEventAt, trackMetricNames: false);
        LastSequence = recoveredSequence;
    }

    public RunDescriptor Run => Summary.Run;

    /// <summary>Gets the run's state and position as its events have told them.</summary>
    public RunSummary Summary { get; }

    /// <summary>The sequence number given to the run's latest event: the dispatcher numbers the next one from it.</summary>
    public long LastSequence;

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp of the run's latest dispatched event.</summary>
    public long LastSeen;

    /// <summary>Whether a lost notice for the run was published and not yet dispatched.</summary>
    public bool LostPending;

    public bool TryGetValue(string name, out double value)
    {
        var found = _slots.TryGetValue(name, out var slot);
        value = found ? _values[slot] : 0;
        return found;
    }

    /// <summary>Applies a dispatched event: its state and position, and the values of a metric update.</summary>
    /// <exception cref="Exception">The event's values throw when read (the publisher changed them after publishing).</exception>
    public void Observe(TrainInsightEvent item, MeterMirror meter)
    {
        Summary.Observe(item);
        if (item is not MetricEvent metrics)
        {
            // A training event's metrics are summaries (an epoch's mean loss, say) that must not stand in for the latest
            // measured values.
            return;
        }

        if (metrics.Values is Dictionary<string, double> dictionary)
        {
            Merge(dictionary, meter);
            return;
        }

        foreach (var (name, value) in metrics.Values)
        {
            // SlotOf may grow _values: index the array only after it returns.
            var slot = SlotOf(name, meter);
            _values[slot] = value;
        }
    }

    public MetricsSnapshot ToSnapshot() => new()
    {
        Run = Run,
        State = Summary.State,
        Step = Summary.LastStep,
        Epoch = Summary.LastEpoch,
        Batch = Summary.LastBatch,
        Timestamp = Summary.LastEventAt,
        Offset = Summary.LastOffset,
        Sequence = Summary.LastSequence,
        Values = _slots.ToDictionary(p => p.Key, p => _values[p.Value], StringComparer.Ordinal),
    };

    // A Dictionary is enumerated through its struct enumerator: no allocation per event.
    private void Merge(Dictionary<string, double> values, MeterMirror meter)
    {
        var keys = _shapeKeys;
        var slots = _shapeSlots;
        var i = 0;
        var sameShape = values.Count == keys.Length;
        foreach (var (name, value) in values)
        {
            // Equal strings from another source (deserialized per event, say) match too, just less cheaply.
            if (sameShape && (ReferenceEquals(keys[i], name) || string.Equals(keys[i], name, StringComparison.Ordinal)))
            {
                _values[slots[i]] = value;
            }
            else
            {
                sameShape = false;
                var slot = SlotOf(name, meter);
                _values[slot] = value;
            }

            i++;
        }

        if (!sameShape)
        {
            // A new shape: remember it for the next event (allocates only when the shape changes).
            _shapeKeys = [.. values.Keys];
            _shapeSlots = [.. _shapeKeys.Select(k => _slots[k])];
        }
    }

    private int SlotOf(string name, MeterMirror meter)
    {
        if (!_slots.TryGetValue(name, out var slot))
        {
            slot = _slots.Count;
            if (slot == _values.Length)
            {
                Array.Resize(ref _values, 2 * _values.Length);
            }

            _slots.Add(name, slot);
            meter.OnMetricName(name);
        }

        return slot;
    }
}
