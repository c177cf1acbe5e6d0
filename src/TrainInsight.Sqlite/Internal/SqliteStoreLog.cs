using Microsoft.Extensions.Logging;

namespace TrainInsight.Sqlite.Internal;

internal static partial class SqliteStoreLog
{
    [LoggerMessage(EventId = 1, EventName = "SqliteStoreDegraded", Level = LogLevel.Warning,
        Message = "The SQLite store at '{Path}' cannot be used ({Reason}); from now on events are kept in memory only and are lost when the process ends.")]
    public static partial void Degraded(ILogger logger, string path, string reason, Exception exception);

    [LoggerMessage(EventId = 2, EventName = "SqliteRetentionFailed", Level = LogLevel.Warning,
        Message = "Applying retention to the SQLite store at '{Path}' failed; it is tried again later.")]
    public static partial void RetentionFailed(ILogger logger, string path, Exception exception);
}
