namespace TrainInsight.Streaming.Rest;

/// <summary>
/// Reads every matching point of a run through <see cref="IMetricStore.GetMetricsAsync"/>, page by page, into a
/// <see cref="MetricDownsampler"/>: one page (at most <see cref="MaxPageSize"/> points) and the points kept are in memory
/// at a time, never the whole run.
/// </summary>
/// <remarks>
/// Pages follow each other by step, as the endpoint's <c>next_since</c> does: a full page is cut before its last step
/// (whose other points may be on the next page) and the next page reads the steps after the last one fed. Each page is read
/// from the store's start, so a point the store returns again (steps that went backwards) is recognised by its offset and
/// name and fed once. A single step with more matching points than a page is cut: the rest of that step is skipped.
/// </remarks>
internal static class DownsampledMetricsReader
{
    /// <summary>The most points one <see cref="IMetricStore.GetMetricsAsync"/> call returns.</summary>
    public const int MaxPageSize = 100_000;

    /// <summary>Reads and downsamples the points of <paramref name="runId"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="runId">The run.</param>
    /// <param name="names">Only these metrics, or <see langword="null"/> for all.</param>
    /// <param name="since">Only points measured after this step, or <see langword="null"/> for all.</param>
    /// <param name="maxPoints">The most points to keep per metric; at least 2.</param>
    /// <param name="stepRangeEnd">The run's last step, where the buckets end, or <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The points kept.</returns>
    public static Task<DownsampledPoints> ReadAsync(
        IMetricStore store, string runId, IReadOnlyCollection<string>? names, long? since, int maxPoints, long? stepRangeEnd, CancellationToken cancellationToken) =>
        ReadAsync(store, runId, names, since, maxPoints, stepRangeEnd, MaxPageSize, cancellationToken);

    /// <summary>Reads and downsamples the points of <paramref name="runId"/>, <paramref name="pageSize"/> points a call (for tests).</summary>
    /// <param name="store">The store.</param>
    /// <param name="runId">The run.</param>
    /// <param name="names">Only these metrics, or <see langword="null"/> for all.</param>
    /// <param name="since">Only points measured after this step, or <see langword="null"/> for all.</param>
    /// <param name="maxPoints">The most points to keep per metric; at least 2.</param>
    /// <param name="stepRangeEnd">The run's last step, where the buckets end, or <see langword="null"/> when unknown.</param>
    /// <param name="pageSize">The most points to read per call, 1 to <see cref="MaxPageSize"/>.</param>
    /// <param name="cancellationToken">A token to cancel the reads.</param>
    /// <returns>The points kept.</returns>
    internal static async Task<DownsampledPoints> ReadAsync(
        IMetricStore store,
        string runId,
        IReadOnlyCollection<string>? names,
        long? since,
        int maxPoints,
        long? stepRangeEnd,
        int pageSize,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        var downsampler = new MetricDownsampler(maxPoints, stepRangeEnd);
        var after = since;
        var fedOffset = long.MinValue;
        string? fedName = null;
        while (true)
        {
            var query = new MetricQuery(runId) { Names = names, AfterStep = after, Limit = pageSize };
            var page = await store.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
            var count = page.Count;
            var full = count == pageSize;
            if (full)
            {
                // The next page starts after the last step fed: feed only whole steps.
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
                if (point.Offset < fedOffset || (point.Offset == fedOffset && string.CompareOrdinal(point.Name, fedName) <= 0))
                {
                    continue;
                }

                downsampler.Add(point);
                fedOffset = point.Offset;
                fedName = point.Name;
            }

            if (!full)
            {
                return downsampler.Complete();
            }

            // Every point of a page is after `after`, so this moves forward and the loop ends.
            after = page[count - 1].Step;
        }
    }
}
