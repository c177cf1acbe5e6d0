using System.Text.Json;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>
/// Wraps one of TrainInsight's tools so that nothing it throws reaches the client as a protocol failure: arguments that do
/// not bind (a missing run_id, a number given as text) and an unknown run become error results that say what was wrong;
/// anything else becomes an error result too, counted in <see cref="McpToolFailures"/> and logged once.
/// </summary>
internal sealed class GuardedTool(McpServerTool inner, McpToolFailures failures, ILogger logger) : DelegatingMcpServerTool(inner)
{
    public override async ValueTask<CallToolResult> InvokeAsync(RequestContext<CallToolRequestParams> request, CancellationToken cancellationToken = default)
    {
        var name = ProtocolTool.Name;
        try
        {
            return await base.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (RunNotFoundException e)
        {
            return ToolResults.Error(e.Message + " list_runs lists the runs this server knows.");
        }
        catch (Exception e) when (e is ArgumentException or JsonException or FormatException or InvalidCastException)
        {
            return ToolResults.Error($"invalid arguments for {name}: {e.Message} tools/list gives the tool's input schema.");
        }
        catch (Exception e)
        {
            failures.Add();
            McpLog.ToolFailed(logger, name, e);
            return ToolResults.Error($"{name} failed on the server ({e.GetType().Name}); the server's log has the details.");
        }
    }
}
