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
}
