using Microsoft.Extensions.Logging;

namespace TrainInsight.Llm.Internal;

internal static partial class AssistantLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "The model failed to {Operation} run '{RunId}'; the rules answered instead (counted in TrainingAssistant.Fallbacks).")]
    public static partial void ModelFailed(ILogger logger, AssistantOperation operation, string runId, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "The model was not called to {Operation} run '{RunId}': {Reason}")]
    public static partial void ModelSkipped(ILogger logger, AssistantOperation operation, string runId, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The model's answer to {Operation} run '{RunId}' was not usable ({Reason}); the rules answered instead.")]
    public static partial void ModelOutputRejected(ILogger logger, AssistantOperation operation, string runId, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Conversation '{ConversationId}' of run '{RunId}' could not be saved; the answer was given but is missing from its history.")]
    public static partial void ConversationNotSaved(ILogger logger, string runId, string conversationId, Exception exception);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "The proposal service refused a {Source} proposal for run '{RunId}': {Reason}")]
    public static partial void ProposalRefused(ILogger logger, string runId, ProposalSource source, string reason);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "The proposal service failed to make a {Source} proposal for run '{RunId}' (counted in TrainingAssistant.ProposalFailures).")]
    public static partial void ProposalFailed(ILogger logger, string runId, ProposalSource source, Exception exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "An automatic analysis of run '{RunId}' failed (counted in AutoAnalyzer.Failures; later failures are not logged).")]
    public static partial void AutoAnalysisFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "The bus rejected the automatic analysis of run '{RunId}' (it is disposed; counted in AutoAnalyzer.PublishFailures; later rejections are not logged).")]
    public static partial void AutoAnalysisNotPublished(ILogger logger, string runId);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "The automatic analysis fell behind the bus and missed {Count} events (offsets {First} to {Last}; counted in AutoAnalyzer.EventsMissed; later losses are not logged).")]
    public static partial void AutoAnalysisMissed(ILogger logger, long count, long first, long last);
}
