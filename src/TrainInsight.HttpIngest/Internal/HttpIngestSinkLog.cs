using Microsoft.Extensions.Logging;

namespace TrainInsight.HttpIngest.Internal;

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

    [LoggerMessage(105, LogLevel.Warning, "The ingest server is unreachable or failing ({Reason}); the sink keeps {Count} events and retries until it answers.")]
    public static partial void Failing(ILogger logger, int count, string reason);

    [LoggerMessage(106, LogLevel.Error, "A batch of {Count} events could not be sent and is dropped: the request failed in a way a retry cannot mend.")]
    public static partial void Unsendable(ILogger logger, int count, Exception exception);
}
