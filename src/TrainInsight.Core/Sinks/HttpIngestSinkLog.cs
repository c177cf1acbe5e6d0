using Microsoft.Extensions.Logging;

namespace TrainInsight.Internal;

internal static partial class HttpIngestSinkLog
{
    [LoggerMessage(101, LogLevel.Warning, "The ingest server rejected a batch of {Count} events with status {Status}; they are dropped. {Detail}")]
    public static partial void Rejected(ILogger logger, int count, int status, string detail);

    [LoggerMessage(102, LogLevel.Debug, "Sending a batch of {Count} events failed with status {Status}; retrying in {Delay}.")]
    public static partial void RetryingStatus(ILogger logger, int count, int status, TimeSpan delay);

    [LoggerMessage(103, LogLevel.Debug, "Sending a batch of {Count} events failed; retrying in {Delay}.")]
    public static partial void RetryingError(ILogger logger, int count, TimeSpan delay, Exception exception);

    [LoggerMessage(104, LogLevel.Warning, "The ingest sink stopped with {Count} events not sent.")]
    public static partial void Abandoned(ILogger logger, long count);
}
