using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Server;
using TrainInsight;
using TrainInsight.Mcp;
using TrainInsight.Mcp.Internal;
using TrainInsight.Mcp.Internal.Tools;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's Model Context Protocol server.</summary>
public static class McpTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds an MCP server (the ModelContextProtocol SDK's, Streamable HTTP transport) with TrainInsight's tools, its
    /// <see cref="McpOptions"/>, and the diagnosis its <c>get_findings</c> tool reads (<c>AddDiagnostics()</c>, unless already
    /// added); <c>app.MapTrainInsightMcp()</c> then serves it. Safe to call more than once: later calls only apply
    /// <paramref name="configure"/>.
    /// </summary>
    /// <remarks>
    /// The tools read runs (<c>list_runs</c>, <c>get_current_metrics</c>, <c>get_metric_history</c>, <c>get_findings</c>,
    /// <c>get_run_info</c>, <c>compare_runs</c>) and, when an <see cref="IProposalService"/> is registered (TrainInsight.Proposals'
    /// <c>AddProposals()</c>), proposals (<c>list_proposals</c>, <c>get_proposal</c>, <c>propose_control_action</c>). No tool
    /// controls training: <c>propose_control_action</c> only makes a pending proposal that a person must approve, and there is
    /// no tool to approve one. A host that adds MCP tools of its own (<c>AddMcpServer().WithTools…</c>) gets them on the same
    /// server.
    /// </remarks>
    /// <param name="builder">The TrainInsight builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Changes the server's settings; validated setters throw on bad values.</param>
    /// <returns>The same builder.</returns>
    public static ITrainInsightBuilder AddMcp(this ITrainInsightBuilder builder, Action<McpOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddDiagnostics();
        OptionsRegistration.GetOrAdd(services, configure);
        if (!services.Any(d => d.ServiceType == typeof(McpMarker)))
        {
            services.AddMcpServer().WithHttpTransport();
            services.TryAddSingleton<McpMarker>();
            services.TryAddSingleton<McpToolFailures>();
            services.TryAddEnumerable(ServiceDescriptor.Transient<IConfigureOptions<McpServerOptions>, McpServerOptionsSetup>());
        }

        return builder;
    }
}
