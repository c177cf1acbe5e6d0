namespace TrainInsight.Streaming.Rest;

/// <summary>
/// Streams every matching point of a run from <see cref="IMetricStore.ReadMetricsAsync"/> into a
/// <see cref="MetricDownsampler"/>: only the points kept are in memory, never the whole run, and the store reads the run
/// once.
/// </summary>
internal static class DownsampledMetricsReader
{
    /// <summary>Reads and downsamples the points of <paramref name="runId"/>.</summary>
    /// <param name="store">The store.</param>
    /// <param name="runId">The run.</param>
    /// <param name="names">Only these metrics, or <see langword="null"/> for all.</param>
    /// <param name="since">Only points measured after this step, or <see langword="null"/> for all.</param>
    /// <param name="maxPoints">The most points to keep per metric; at least 2.</param>
    /// <param name="stepRangeEnd">The run's last step, where the buckets end, or <see langword="null"/> when unknown.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The points kept.</returns>
    public static async Task<DownsampledPoints> ReadAsync(
        IMetricStore store, string runId, IReadOnlyCollection<string>? names, long? since, int maxPoints, long? stepRangeEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var downsampler = new MetricDownsampler(maxPoints, stepRangeEnd);
        var query = new MetricQuery(runId) { Names = names, AfterStep = since };
        await foreach (var point in store.ReadMetricsAsync(query, cancellationToken).ConfigureAwait(false))
        {
            downsampler.Add(point);
        }

        return downsampler.Complete();
    }
}
