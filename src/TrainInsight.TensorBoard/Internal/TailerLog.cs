using Microsoft.Extensions.Logging;

namespace TrainInsight.TensorBoard.Internal;

internal static partial class TailerLog
{
    [LoggerMessage(1, LogLevel.Warning, "TensorBoard log directory '{Directory}' cannot be read; retrying on every scan.")]
    public static partial void DirectoryUnreadable(ILogger logger, string directory, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Event file '{Path}' cannot be read now; retrying on the next scan.")]
    public static partial void FileUnreadable(ILogger logger, string path, Exception exception);

    [LoggerMessage(3, LogLevel.Warning, "Skipped {Count} record(s) with a checksum mismatch in '{Path}'.")]
    public static partial void CorruptRecords(ILogger logger, long count, string path);

    [LoggerMessage(4, LogLevel.Warning, "Cannot watch '{Directory}' for changes; polling only.")]
    public static partial void WatcherUnavailable(ILogger logger, string directory, Exception exception);

    [LoggerMessage(5, LogLevel.Debug, "File-system watcher on '{Directory}' reported an error; the next scan catches up.")]
    public static partial void WatcherError(ILogger logger, string directory, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "A scan of '{Directory}' failed.")]
    public static partial void ScanFailed(ILogger logger, string directory, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Cannot open '{Path}': out of file handles with {Open} event files open. Raise the limit (ulimit -n) or tail fewer runs.")]
    public static partial void TooManyFiles(ILogger logger, string path, int open, Exception exception);

    [LoggerMessage(8, LogLevel.Information, "Event file '{Path}' was replaced; reading it again from its start.")]
    public static partial void FileReplaced(ILogger logger, string path);
}
