namespace TrainInsight.Internal;

/// <summary>Which events one subscriber receives: one run's, and metric updates carrying at least one of some names.</summary>
internal sealed class EventFilter
{
    private readonly string? _runId;
    private readonly HashSet<string>? _metricNames;

    private EventFilter(string? runId, HashSet<string>? metricNames)
    {
        _runId = runId;
        _metricNames = metricNames;
    }

    /// <summary>Creates the filter of a subscription, or <see langword="null"/> when it accepts everything.</summary>
    public static EventFilter? Create(string? runId, IReadOnlyCollection<string>? metricNames)
    {
        var names = metricNames is { Count: > 0 } ? new HashSet<string>(metricNames, StringComparer.Ordinal) : null;
        return runId is null && names is null ? null : new EventFilter(runId, names);
    }

    public bool Accepts(TrainInsightEvent item)
    {
        // A gap the bus wrote already is about this subscriber's events.
        if (item is GapEvent)
        {
            return true;
        }

        if (_runId is not null && !string.Equals(item.RunId, _runId, StringComparison.Ordinal))
        {
            return false;
        }

        if (_metricNames is null || item is not MetricEvent metrics)
        {
            return true;
        }

        try
        {
            return CarriesMetric(metrics);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A publisher changed the values after publishing (or they throw): deliver the event rather than let one broken
            // event stop the dispatcher; only its own encoding can then fail (and is counted there).
            return true;
        }
    }

    private bool CarriesMetric(MetricEvent metrics)
    {
        var names = _metricNames!;
        if (metrics.Values is Dictionary<string, double> dictionary)
        {
            // The struct enumerator: no allocation per event.
            foreach (var name in dictionary.Keys)
            {
                if (names.Contains(name))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var name in metrics.Values.Keys)
        {
            if (names.Contains(name))
            {
                return true;
            }
        }

        return false;
    }
}
