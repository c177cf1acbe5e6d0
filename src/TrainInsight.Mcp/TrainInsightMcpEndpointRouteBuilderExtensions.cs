using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Mcp.Internal;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps TrainInsight's Model Context Protocol endpoint.</summary>
public static class TrainInsightMcpEndpointRouteBuilderExtensions
{
    /// <summary>The default route of the MCP endpoint: <c>/mcp</c>.</summary>
    public const string DefaultPattern = "/mcp";

    /// <summary>
    /// Maps the MCP server that <c>AddMcp()</c> registered at <paramref name="pattern"/>, with the Streamable HTTP transport
    /// (MCP clients POST JSON-RPC there). Map it beside <c>MapTrainInsight()</c>, behind the same authorization when the host has
    /// one: <c>app.MapTrainInsightMcp().RequireAuthorization("training")</c>.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder (usually the <c>WebApplication</c>).</param>
    /// <param name="pattern">The route, such as "/training/mcp". The default is <see cref="DefaultPattern"/>.</param>
    /// <returns>A builder for conventions on the MCP endpoints, such as <c>RequireAuthorization()</c>.</returns>
    /// <exception cref="InvalidOperationException"><c>AddTrainInsight().AddMcp()</c> was not called.</exception>
    /// <exception cref="ArgumentException"><paramref name="pattern"/> does not start with '/'.</exception>
    public static IEndpointConventionBuilder MapTrainInsightMcp(this IEndpointRouteBuilder endpoints, [StringSyntax("Route")] string pattern = DefaultPattern)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        if (endpoints.ServiceProvider.GetService<McpMarker>() is null)
        {
            throw new InvalidOperationException(
                "TrainInsight's MCP services are not registered. Call services.AddTrainInsight().AddMcp() before app.MapTrainInsightMcp().");
        }

        if (!pattern.StartsWith('/'))
        {
            throw new ArgumentException($"The pattern must start with '/', for example \"{DefaultPattern}\"; got \"{pattern}\".", nameof(pattern));
        }

        return new ConventionBuilder(endpoints.MapMcp(pattern));
    }

    private sealed class ConventionBuilder(IEndpointConventionBuilder inner) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => inner.Add(convention);

        public void Finally(Action<EndpointBuilder> finallyConvention) => inner.Finally(finallyConvention);
    }
}
