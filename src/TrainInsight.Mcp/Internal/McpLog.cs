using Microsoft.Extensions.Logging;

namespace TrainInsight.Mcp.Internal;

internal static partial class McpLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "MCP tool '{Tool}' failed unexpectedly; the client got an error result (counted in the tool failures).")]
    public static partial void ToolFailed(ILogger logger, string tool, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "MCP client '{Actor}' proposed {Action} for run '{RunId}': proposal '{ProposalId}' is {State}.")]
    public static partial void Proposed(ILogger logger, string actor, ControlAction action, string runId, string proposalId, ProposalState state);
}
