using Microsoft.Extensions.Logging;

namespace TrainInsight.Proposals.Internal;

internal static partial class ProposalLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Proposal {ProposalId} of run '{RunId}' is {State} ({Actor}): {Title}{Reason}")]
    public static partial void Transition(ILogger logger, string proposalId, string runId, ProposalState state, string actor, string title, string reason);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Handling an event of run '{RunId}' failed; the event is skipped (further failures are only counted in ProposalManager.Errors).")]
    public static partial void EventFailed(ILogger logger, string runId, Exception exception);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The bus rejected a proposal revision of run '{RunId}' ({ProposalId}); it is kept in the manager but not streamed or stored (further rejections are only counted in ProposalManager.PublishFailures).")]
    public static partial void PublishFailed(ILogger logger, string runId, string proposalId);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "The proposal manager fell behind the bus and missed {Count} events (offsets {First}-{Last}); acknowledgements or metrics may be missing, so some proposals may stay approved or unmeasured. Raise ProposalOptions.SubscriberCapacity.")]
    public static partial void EventsMissed(ILogger logger, long count, long first, long last);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Proposal {ProposalId} of run '{RunId}' measured: {Message}")]
    public static partial void Measured(ILogger logger, string proposalId, string runId, string message);
}
