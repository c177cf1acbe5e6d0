using Microsoft.Extensions.Logging;

namespace TrainInsight.Diagnostics.Internal;

internal static partial class DiagnosisLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Diagnosing an event of run '{RunId}' failed; the event is skipped (further failures are only counted in DiagnosisEngine.Errors).")]
    public static partial void EventFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The bus rejected a finding of run '{RunId}' ({Label}); it is kept in the engine but not streamed or stored (further rejections are only counted in DiagnosisEngine.PublishFailures).")]
    public static partial void PublishFailed(ILogger logger, string runId, string label);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The diagnosis fell behind the bus and missed {Count} events (offsets {First}-{Last}); findings of the runs involved may come late or not at all. Raise DiagnosticsOptions.SubscriberCapacity.")]
    public static partial void EventsMissed(ILogger logger, long count, long first, long last);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Finding {State} in run '{RunId}': {Label} ({Severity}) at step {Step}: {Message}")]
    public static partial void Finding(ILogger logger, FindingState state, string runId, string label, FindingSeverity severity, long step, string message);
}
