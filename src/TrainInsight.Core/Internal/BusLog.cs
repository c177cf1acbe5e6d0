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
}
