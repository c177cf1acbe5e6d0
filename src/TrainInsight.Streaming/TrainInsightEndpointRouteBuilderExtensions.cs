using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Rest;
using TrainInsight.Streaming.Sse;
using TrainInsight.Streaming.WebSockets;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the TrainInsight streaming and REST endpoints.</summary>
public static class TrainInsightEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps, under <paramref name="prefix"/>: <c>GET /api/stream/metrics</c> (SSE), <c>GET /ws/metrics</c> (WebSocket),
    /// <c>GET /api/metrics/current</c>, <c>GET /api/metrics/history</c>, <c>POST /api/training/control</c> and
    /// <c>POST /api/ingest</c> (batches from trainers in other processes, see docs/ingest.md).
    /// </summary>
    /// <param name="endpoints">The endpoint route builder (usually the <c>WebApplication</c>).</param>
    /// <param name="prefix">A path prefix such as "/traininsight". The default is "" (the routes above as they are).</param>
    /// <returns>A builder for conventions on all the endpoints, such as <c>RequireAuthorization()</c>.</returns>
    /// <exception cref="InvalidOperationException"><c>AddTrainInsight().AddStreaming()</c> was not called.</exception>
    public static IEndpointConventionBuilder MapTrainInsight(this IEndpointRouteBuilder endpoints, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(prefix);
        if (endpoints.ServiceProvider.GetService<StreamingMarker>() is null)
        {
            throw new InvalidOperationException(
                "TrainInsight streaming services are not registered. Call services.AddTrainInsight().AddStreaming() before app.MapTrainInsight().");
        }

        if (prefix.Length > 0 && (!prefix.StartsWith('/') || prefix.EndsWith('/')))
        {
            throw new ArgumentException("The prefix must start with '/' and not end with '/', for example \"/traininsight\".", nameof(prefix));
        }

        var group = endpoints.MapGroup(prefix);
        group.MapGet("/api/stream/metrics", SseEndpoint.HandleAsync).WithName("TrainInsight.StreamMetrics");
        group.MapGet("/ws/metrics", WebSocketEndpoint.HandleAsync).WithName("TrainInsight.WebSocketMetrics");
        group.MapGet("/api/metrics/current", MetricsEndpoints.Current).WithName("TrainInsight.CurrentMetrics");
        group.MapGet("/api/metrics/history", MetricsEndpoints.History).WithName("TrainInsight.MetricsHistory");
        group.MapPost("/api/training/control", ControlEndpoint.HandleAsync).WithName("TrainInsight.Control");
        group.MapPost("/api/ingest", IngestEndpoint.HandleAsync).WithName("TrainInsight.Ingest");
        return new ConventionBuilder(group);
    }

    private sealed class ConventionBuilder(IEndpointConventionBuilder inner) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => inner.Add(convention);

        public void Finally(Action<EndpointBuilder> finallyConvention) => inner.Finally(finallyConvention);
    }
}
