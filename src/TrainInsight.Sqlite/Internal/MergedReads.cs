using System.Runtime.CompilerServices;

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

    /// <summary>The most proposals a degraded store merges (<see cref="ProposalQuery.Limit"/>'s maximum).</summary>
    public const int MaxProposals = 10_000;

    /// <summary>
    /// Merges the latest revisions of proposals on disk and in memory, each list the most recently made first and not
    /// filtered by state: memory holds everything from the failure on, so a proposal made in memory is newer than every
    /// proposal on disk and comes first; a proposal made on disk keeps its place with its revision in memory, when it has
    /// one (the later). Then applies the query's state filter and limit.
    /// </summary>
    public static List<ProposalEvent> MergeProposals(List<ProposalEvent> stored, IReadOnlyList<ProposalEvent> memory, ProposalQuery query)
    {
        var onDisk = new HashSet<string>(stored.Select(p => p.ProposalId), StringComparer.Ordinal);
        var later = new Dictionary<string, ProposalEvent>(StringComparer.Ordinal);
        var made = new List<ProposalEvent>();
        foreach (var proposal in memory)
        {
            if (onDisk.Contains(proposal.ProposalId))
            {
                later[proposal.ProposalId] = proposal;
            }
            else
            {
                made.Add(proposal);
            }
        }

        return
        [
            .. made
                .Concat(stored.Select(p => later.TryGetValue(p.ProposalId, out var revision) && revision.Offset > p.Offset ? revision : p))
                .Where(p => query.State is not { } state || p.State == state)
                .Take(query.Limit),
        ];
    }

    /// <summary>
    /// Merges two streams of metric points ordered by offset, then name, as <see cref="Merge{T}"/> merges lists: on a tie
    /// the disk wins. Reads each stream as far as it returns, never the whole of either.
    /// </summary>
    public static async IAsyncEnumerable<MetricPoint> MergeAsync(
        IAsyncEnumerable<MetricPoint> stored, IAsyncEnumerable<MetricPoint> memory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var disk = stored.GetAsyncEnumerator(cancellationToken);
        await using (disk.ConfigureAwait(false))
        {
            var kept = memory.GetAsyncEnumerator(cancellationToken);
            await using (kept.ConfigureAwait(false))
            {
                var onDisk = await disk.MoveNextAsync().ConfigureAwait(false);
                var inMemory = await kept.MoveNextAsync().ConfigureAwait(false);
                while (onDisk || inMemory)
                {
                    var order = !inMemory ? -1 : !onDisk ? 1 : disk.Current.Offset.CompareTo(kept.Current.Offset);
                    if (order == 0)
                    {
                        order = string.CompareOrdinal(disk.Current.Name, kept.Current.Name);
                    }

                    if (order <= 0)
                    {
                        yield return disk.Current;
                        onDisk = await disk.MoveNextAsync().ConfigureAwait(false);
                        if (order == 0)
                        {
                            inMemory = await kept.MoveNextAsync().ConfigureAwait(false);
                        }
                    }
                    else
                    {
                        yield return kept.Current;
                        inMemory = await kept.MoveNextAsync().ConfigureAwait(false);
                    }
                }
            }
        }
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
