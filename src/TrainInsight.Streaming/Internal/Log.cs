using Microsoft.Extensions.Logging;

namespace TrainInsight.Streaming.Internal;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Debug, "SSE client connected (resume after {AfterOffset}, run {RunId}).")]
    public static partial void SseConnected(ILogger logger, long? afterOffset, string? runId);

    [LoggerMessage(2, LogLevel.Debug, "SSE client disconnected; it lost {Dropped} events by falling behind.")]
    public static partial void SseDisconnected(ILogger logger, long dropped);

    [LoggerMessage(3, LogLevel.Debug, "WebSocket client connected (resume after {AfterOffset}, run {RunId}).")]
    public static partial void WebSocketConnected(ILogger logger, long? afterOffset, string? runId);

    [LoggerMessage(4, LogLevel.Debug, "WebSocket client disconnected; it lost {Dropped} events by falling behind.")]
    public static partial void WebSocketDisconnected(ILogger logger, long dropped);

    [LoggerMessage(5, LogLevel.Information, "Control command {CommandId} ({Action}) queued for run {RunId}.")]
    public static partial void ControlQueued(ILogger logger, string commandId, ControlAction action, string runId);

    [LoggerMessage(6, LogLevel.Debug, "WebSocket connection ended with an error.")]
    public static partial void WebSocketFailed(ILogger logger, Exception exception);

    [LoggerMessage(7, LogLevel.Debug, "Ingest batch: {Accepted} events published, {Duplicates} duplicates skipped, {Runs} runs.")]
    public static partial void IngestAccepted(ILogger logger, long accepted, long duplicates, int runs);

    [LoggerMessage(8, LogLevel.Debug, "Assistant {Operation} stream of run {RunId} ended early: the client went away or the host is stopping.")]
    public static partial void AssistantStreamCanceled(ILogger logger, string operation, string runId);
}
