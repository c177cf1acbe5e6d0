using System.Diagnostics;

namespace TrainInsight.Internal;

/// <summary>
/// The part of a resuming subscription older than the history ring: the events in (after, until] read from the store in
/// pages, with a <see cref="GapEvent"/> wherever the store no longer holds them (retention) or could not be read.
/// </summary>
/// <param name="store">The store.</param>
/// <param name="runId">The subscribed run, or <see langword="null"/> for all runs.</param>
/// <param name="afterOffset">The offset after which to read.</param>
/// <param name="untilOffset">The last offset to read: the one before the ring's oldest.</param>
/// <param name="run">The run a gap names when no event read says better: the subscribed run, or the latest one.</param>
/// <param name="expectedSequence">
/// With a run filter, the sequence of that run's last event at or before <paramref name="untilOffset"/> (0 when unknown),
/// so that the store missing the run's latest events is reported too.
/// </param>
/// <param name="storedOffset">Reads the latest offset the store confirmed, so the replay can wait for a lagging writer.</param>
/// <param name="readFailed">Told of a failed read (the subscriber gets a gap in its place), to count and log it.</param>
internal sealed class StoreReplay(
    IMetricStore store, string? runId, long afterOffset, long untilOffset, RunDescriptor? run, long expectedSequence, Func<long>? storedOffset,
    Action<Exception>? readFailed = null)
{
    private const int PageSize = 512;
    private static readonly RunDescriptor s_unknownRun = new("unknown");

    private Func<long>? _storedOffset = storedOffset;
    private long _after = afterOffset;
    private long _lastSequence;

    /// <summary>
    /// Reads the next page: its events that <paramref name="filter"/> accepts, and the gaps between and after them.
    /// </summary>
    /// <returns>The events to deliver, and whether the range is done (the replay is then over).</returns>
    public async Task<(List<TrainInsightEvent> Events, bool Exhausted)> ReadPageAsync(EventFilter? filter, CancellationToken cancellationToken)
    {
        if (_storedOffset is { } confirmed)
        {
            // The store writer may still be writing the range (it flushes every StoreFlushInterval): wait for it a little, so
            // that events merely in flight are not reported as a gap.
            _storedOffset = null;
            var deadline = Stopwatch.GetTimestamp() + (2 * Stopwatch.Frequency);
            while (confirmed() < untilOffset && Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(10, cancellationToken).ConfigureAwait(false);
            }
        }

        IReadOnlyList<TrainInsightEvent> page;
        var failed = false;
        try
        {
            page = await store.ReadEventsAsync(_after, PageSize, runId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Reported to the subscriber as a gap below: it learns exactly which offsets it is missing.
            readFailed?.Invoke(ex);
            page = [];
            failed = true;
        }

        var buffer = new List<TrainInsightEvent>(page.Count + 2);
        if (runId is not null && _lastSequence == 0 && !failed)
        {
            // First page of a run-filtered replay: the run's sequences cannot show a hole before its first stored event, but
            // the store's offsets can: when it holds nothing right after the resume position, retention removed that range
            // for every run. At most the range's size, and at most as many as the run's earlier sequences.
            if (await LeadingLossAsync(page, cancellationToken).ConfigureAwait(false) is { } leading)
            {
                buffer.Add(leading);
            }
        }

        foreach (var item in page)
        {
            if (item.Offset > untilOffset)
            {
                break;
            }

            // Holes: offsets are contiguous across runs; within one run, sequences are.
            if (runId is null && item.Offset > _after + 1)
            {
                buffer.Add(GapBuilder.Range(item.Run, _after + 1, item.Offset - 1, item.Offset - _after - 1));
            }
            else if (runId is not null && _lastSequence > 0 && item.Sequence > _lastSequence + 1)
            {
                buffer.Add(GapBuilder.Range(item.Run, _after + 1, item.Offset - 1, item.Sequence - _lastSequence - 1, _lastSequence + 1));
            }

            _after = item.Offset;
            _lastSequence = item.Sequence;
            if (filter is null || filter.Accepts(item))
            {
                buffer.Add(item);
            }
        }

        var exhausted = page.Count < PageSize || _after >= untilOffset || (page.Count > 0 && page[^1].Offset > untilOffset);
        if (exhausted && TrailingGap(buffer, page, failed) is { } gap)
        {
            buffer.Add(gap);
        }

        return (buffer, exhausted);
    }

    /// <summary>What is missing after the last stored event read, once the range is exhausted.</summary>
    private GapEvent? TrailingGap(List<TrainInsightEvent> buffer, IReadOnlyList<TrainInsightEvent> page, bool failed)
    {
        if (_after >= untilOffset)
        {
            return null;
        }

        var gapRun = buffer.Count > 0 ? buffer[^1].Run : page.Count > 0 ? page[0].Run : run ?? s_unknownRun;
        if (runId is null)
        {
            // Neither the store nor the ring holds these any more (retention, or the store lagged behind the ring).
            return GapBuilder.Range(gapRun, _after + 1, untilOffset, untilOffset - _after);
        }

        if (_lastSequence > 0 && expectedSequence > _lastSequence)
        {
            // The run's latest events before the ring are missing: their sequences tell how many.
            return GapBuilder.Range(gapRun, _after + 1, untilOffset, expectedSequence - _lastSequence, _lastSequence + 1);
        }

        // The store failed before anything of the run was read: how many of these offsets were the run's is unknown.
        return failed
            ? GapBuilder.Range(gapRun, _after + 1, untilOffset, untilOffset - _after, _lastSequence > 0 ? _lastSequence + 1 : 0)
            : null;
    }

    private async Task<GapEvent?> LeadingLossAsync(IReadOnlyList<TrainInsightEvent> page, CancellationToken cancellationToken)
    {
        IReadOnlyList<TrainInsightEvent> oldest;
        try
        {
            oldest = await store.ReadEventsAsync(_after, 1, runId: null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The page itself was read; without the unfiltered probe the leading loss stays unknown, and the page's own
            // sequences still report every hole after the run's first stored event.
            readFailed?.Invoke(ex);
            return null;
        }

        var heldFrom = oldest.Count > 0 ? oldest[0].Offset : untilOffset + 1;
        if (heldFrom <= _after + 1)
        {
            return null;
        }

        var lostUntil = Math.Min(heldFrom - 1, untilOffset);
        var missed = lostUntil - _after;
        var firstOfRun = page.Count > 0 && page[0].Offset <= untilOffset ? page[0] : null;
        if (firstOfRun is not null)
        {
            if (firstOfRun.Sequence <= 1)
            {
                return null; // The run started after the lost range.
            }

            missed = Math.Min(missed, firstOfRun.Sequence - 1);
        }

        return GapBuilder.Range(firstOfRun?.Run ?? run ?? s_unknownRun, _after + 1, lostUntil, missed);
    }
}
