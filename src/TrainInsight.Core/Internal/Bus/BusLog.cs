using Microsoft.Extensions.Logging;

namespace TrainInsight.Internal;

internal static partial class BusLog
{
    [LoggerMessage(1, LogLevel.Warning, "TrainInsight could not read its store's state; the bus runs without the store (in memory only) so that it cannot number events over what the store holds.")]
    public static partial void StoreStateUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(2, LogLevel.Warning, "TrainInsight could not write {Count} events to its store; they are kept and retried with the next batch.")]
    public static partial void StoreWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(3, LogLevel.Error, "TrainInsight could not dispatch a batch of {Count} events; the bus goes on with the next.")]
    public static partial void DispatchFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(4, LogLevel.Error, "TrainInsight could not merge an event of run '{RunId}' into the run's current snapshot; its values are missing from /api/metrics/current until the next event. This is logged once per bus; SnapshotErrors counts every occurrence.")]
    public static partial void SnapshotFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(5, LogLevel.Warning, "TrainInsight could not check for lost runs; it tries again at the next check.")]
    public static partial void LostRunCheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Warning, "TrainInsight could not read the unfinished runs of its store; runs from before this start are not reported lost.")]
    public static partial void StoredRunsUnreadable(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "TrainInsight could not read its store to replay events older than the history ring; the subscriber gets a gap in their place. This is logged once per bus; StoreErrors counts every failure.")]
    public static partial void StoreReadFailed(ILogger logger, Exception exception);
}
