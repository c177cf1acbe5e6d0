namespace TrainInsight.Sqlite.Internal;

/// <summary>Merges what a degraded store reads from its file with what it keeps in memory.</summary>
internal static class MergedReads
{
    /// <summary>The most findings of a run a degraded store merges (<see cref="FindingQuery.Limit"/>'s maximum).</summary>
    public const int MaxFindings = 10_000;

    /// <summary>
    /// Merges the unfiltered findings of a run on disk and in memory: the later revision (by offset) of each finding wins,
    /// in the order first raised (disk first: memory took over later), then applies the query's filters and limit.
    /// </summary>
    public static List<FindingEvent> MergeFindings(List<FindingEvent> stored, IReadOnlyList<FindingEvent> memory, FindingQuery query)
    {
        var latest = new Dictionary<string, FindingEvent>(StringComparer.Ordinal);
        var order = new List<string>(stored.Count + memory.Count);
        foreach (var finding in stored.Concat(memory))
        {
            if (!latest.TryGetValue(finding.FindingId, out var known))
            {
                order.Add(finding.FindingId);
                latest.Add(finding.FindingId, finding);
            }
            else if (finding.Offset > known.Offset)
            {
                latest[finding.FindingId] = finding;
            }
        }

        return
        [
            .. order
                .Select(id => latest[id])
                .Where(f => (query.State is not { } state || f.State == state) && (query.MinSeverity is not { } min || f.Severity >= min))
                .Take(query.Limit),
        ];
    }

    /// <summary>Merges two lists ordered by <paramref name="offset"/> (then <paramref name="thenBy"/>); on a tie the disk wins.</summary>
    public static List<T> Merge<T>(List<T> stored, IReadOnlyList<T> memory, Func<T, long> offset, int limit, Func<T, string>? thenBy)
    {
        // Offsets on disk precede those in memory (memory takes over at one batch), but merge anyway.
        var result = new List<T>(Math.Min(limit, stored.Count + memory.Count));
        int i = 0, j = 0;
        while (result.Count < limit && (i < stored.Count || j < memory.Count))
        {
            if (j >= memory.Count)
            {
                result.Add(stored[i++]);
                continue;
            }

            if (i >= stored.Count)
            {
                result.Add(memory[j++]);
                continue;
            }

            var order = offset(stored[i]).CompareTo(offset(memory[j]));
            if (order == 0 && thenBy is not null)
            {
                order = string.CompareOrdinal(thenBy(stored[i]), thenBy(memory[j]));
            }

            if (order == 0)
            {
                result.Add(stored[i++]);
                j++;
            }
            else
            {
                result.Add(order < 0 ? stored[i++] : memory[j++]);
            }
        }

        return result;
    }
}
