using System.Runtime.CompilerServices;

namespace TrainInsight.Internal;

/// <summary>
/// <see cref="IMetricStore.ReadMetricsAsync"/>'s default implementation: every matching point of a run, read through
/// <see cref="IMetricStore.GetMetricsAsync"/> one page at a time, by step.
/// </summary>
/// <remarks>
/// Pages follow each other by step, as the REST endpoint's <c>next_since</c> does: a full page is cut before its last step
/// (whose other points may be on the next page) and the next page reads the steps after the last one returned. A point
/// a page returns again (steps that went back) is recognised by its offset and name and returned once. A single step with
/// more matching points than a page is cut: the rest of that step is skipped.
/// </remarks>
internal static class MetricPointPages
{
    /// <summary>The most points one <see cref="IMetricStore.GetMetricsAsync"/> call returns (<see cref="MetricQuery.Limit"/>'s maximum).</summary>
    public const int MaxPageSize = 100_000;

    /// <summary>Streams the points <paramref name="query"/> selects, <paramref name="pageSize"/> points a call.</summary>
    /// <param name="store">The store to page through.</param>
    /// <param name="query">Which points; its limit is ignored. Read when this is called: later changes do not apply.</param>
    /// <param name="pageSize">The most points to read per call, 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The points, in offset order, then by name within one event.</returns>
    public static IAsyncEnumerable<MetricPoint> ReadAsync(IMetricStore store, MetricQuery query, int pageSize, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        string[]? names = query.Names is null ? null : [.. query.Names];
        return ReadPagesAsync(store, query.RunId, names, query.AfterStep, pageSize, cancellationToken);
    }

    private static async IAsyncEnumerable<MetricPoint> ReadPagesAsync(
        IMetricStore store, string runId, string[]? names, long? since, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var after = since;
        var returnedOffset = long.MinValue;
        string? returnedName = null;
        while (true)
        {
            var query = new MetricQuery(runId) { Names = names, AfterStep = after, Limit = pageSize };
            var page = await store.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
            var count = page.Count;
            var full = count == pageSize;
            if (full)
            {
                // The next page starts after the last step returned: return only whole steps.
                var lastStep = page[count - 1].Step;
                var whole = count;
                while (whole > 0 && page[whole - 1].Step == lastStep)
                {
                    whole--;
                }

                count = whole > 0 ? whole : count;
            }

            for (var i = 0; i < count; i++)
            {
                var point = page[i];
                if (point.Offset < returnedOffset || (point.Offset == returnedOffset && string.CompareOrdinal(point.Name, returnedName) <= 0))
                {
                    continue;
                }

                cancellationToken.ThrowIfCancellationRequested();
                returnedOffset = point.Offset;
                returnedName = point.Name;
                yield return point;
            }

            if (!full)
            {
                yield break;
            }

            // Every point of a page is after `after`, so this moves forward and the loop ends.
            after = page[count - 1].Step;
        }
    }
}
