namespace TrainInsight.Streaming.WebSockets;

/// <summary>
/// What one WebSocket connection currently wants: a set of runs and a set of metric names, each either "all" (null) or
/// an explicit set. Immutable: the receive loop swaps in a new one, the send loop reads whichever is current.
/// </summary>
internal sealed class ConnectionFilter
{
    public const string All = "*";

    public static readonly ConnectionFilter Everything = new(null, null);

    private ConnectionFilter(HashSet<string>? runs, HashSet<string>? metrics)
    {
        Runs = runs;
        Metrics = metrics;
    }

    /// <summary>Gets the runs to send, or null for all.</summary>
    public HashSet<string>? Runs { get; }

    /// <summary>Gets the metric names whose metric updates to send, or null for all.</summary>
    public HashSet<string>? Metrics { get; }

    public static ConnectionFilter Create(string? runId, IReadOnlyCollection<string>? metricNames) => new(
        runId is null ? null : new HashSet<string>(StringComparer.Ordinal) { runId },
        metricNames is null ? null : new HashSet<string>(metricNames, StringComparer.Ordinal));

    public bool Matches(TrainInsightEvent item)
    {
        if (item is GapEvent)
        {
            // Losses are always reported: the client cannot tell which of the lost events it would have wanted.
            return true;
        }

        if (Runs is not null && !Runs.Contains(item.RunId))
        {
            return false;
        }

        if (Metrics is null || item is not MetricEvent metrics)
        {
            return true;
        }

        foreach (var name in metrics.Values.Keys)
        {
            if (Metrics.Contains(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Adds runs and metric names ("*" means all of that kind); a list given while receiving all replaces "all".</summary>
    public ConnectionFilter Subscribe(IReadOnlyList<string>? runs, IReadOnlyList<string>? metrics) =>
        new(Add(Runs, runs), Add(Metrics, metrics));

    /// <summary>Removes runs and metric names; "*" removes all of that kind. Fails (null) when removing from "all".</summary>
    public ConnectionFilter? Unsubscribe(IReadOnlyList<string>? runs, IReadOnlyList<string>? metrics, out string? error)
    {
        error = null;
        if (!TryRemove(Runs, runs, "runs", out var newRuns, ref error) || !TryRemove(Metrics, metrics, "metrics", out var newMetrics, ref error))
        {
            return null;
        }

        return new ConnectionFilter(newRuns, newMetrics);
    }

    private static HashSet<string>? Add(HashSet<string>? current, IReadOnlyList<string>? names)
    {
        if (names is null || names.Count == 0)
        {
            return current;
        }

        if (names.Contains(All))
        {
            return null;
        }

        // A connection that received everything and names what it wants now receives just that.
        var result = current is null ? new HashSet<string>(StringComparer.Ordinal) : new HashSet<string>(current, StringComparer.Ordinal);
        result.UnionWith(names);
        return result;
    }

    private static bool TryRemove(HashSet<string>? current, IReadOnlyList<string>? names, string kind, out HashSet<string>? result, ref string? error)
    {
        result = current;
        if (names is null || names.Count == 0)
        {
            return true;
        }

        if (names.Contains(All))
        {
            result = new HashSet<string>(StringComparer.Ordinal);
            return true;
        }

        if (current is null)
        {
            error = $"This connection receives all {kind}; unsubscribe from \"*\" first, then subscribe to the {kind} you want.";
            return false;
        }

        result = new HashSet<string>(current, StringComparer.Ordinal);
        result.ExceptWith(names);
        return true;
    }
}
