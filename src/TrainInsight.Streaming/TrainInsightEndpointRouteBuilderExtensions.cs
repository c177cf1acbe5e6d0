using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming;
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
    /// <c>GET /api/metrics/current</c>, <c>GET /api/metrics/history</c>, <c>POST /api/training/control</c>,
    /// <c>POST /api/ingest</c> (batches from trainers in other processes, see docs/ingest.md),
    /// <c>GET /api/runs</c>, <c>GET /api/runs/{id}</c>, <c>GET /api/runs/{id}/metrics</c>, <c>GET /api/runs/{id}/commands</c>,
    /// <c>GET /api/runs/{id}/findings</c>; when an <see cref="TrainInsight.ITrainingAssistant"/> is registered (TrainInsight.Llm's
    /// <c>AddLlm()</c> registers one), <c>POST /api/assistant/analyze</c>, <c>/suggest</c>, <c>/diagnose</c>, <c>/chat</c> and
    /// <c>GET /api/assistant/conversations/{conversation_id}</c>; when an <see cref="TrainInsight.IProposalService"/> is
    /// registered (TrainInsight.Proposals' <c>AddProposals()</c> registers one), <c>GET /api/proposals</c>,
    /// <c>GET /api/proposals/{id}</c>, <c>POST /api/proposals</c>, <c>POST /api/proposals/{id}/approve</c>, <c>/reject</c> and
    /// <c>GET /api/assistant/stats</c>;
    /// and, unless <see cref="StreamingOptions.MapOpenApiDocument"/> is off, <c>GET /openapi/traininsight.json</c> (the OpenAPI
    /// document of these endpoints alone). Every endpoint has OpenAPI metadata and the tag "TrainInsight".
    /// </summary>
    /// <remarks>
    /// When <see cref="StreamingOptions.AllowedOrigins"/> lists origins, the endpoints get a CORS policy for them; the host
    /// must then call <c>app.UseCors()</c> (after <c>app.UseRouting()</c> when it calls that), or requests fail with the
    /// framework's error saying the CORS middleware is missing.
    /// </remarks>
    /// <param name="endpoints">The endpoint route builder (usually the <c>WebApplication</c>).</param>
    /// <param name="prefix">A path prefix such as "/traininsight". The default is "" (the routes above as they are).</param>
    /// <returns>A builder for conventions on all the endpoints, such as <c>RequireAuthorization()</c>.</returns>
    /// <exception cref="InvalidOperationException">
    /// <c>AddTrainInsight().AddStreaming()</c> was not called, or <see cref="StreamingOptions.AllowedOrigins"/> holds a malformed origin.
    /// </exception>
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

        var options = endpoints.ServiceProvider.GetRequiredService<StreamingOptions>();
        var group = endpoints.MapGroup(prefix);
        group.WithTags(OpenApiMetadata.Tag).WithMetadata(OpenApiMetadata.EndpointMarker.Instance);
        StreamingCors.Apply(group, options);
        group.MapGet("/api/stream/metrics", SseEndpoint.HandleAsync).WithName("TrainInsight.StreamMetrics")
            .WithSummary("Streams every event as Server-Sent Events, resumable with Last-Event-ID.")
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithResumeParameters(header: true)
            .WithRunQueryParameter("Only this run's events.")
            .WithMetricNamesQueryParameter();
        group.MapGet("/ws/metrics", WebSocketEndpoint.HandleAsync).WithName("TrainInsight.WebSocketMetrics")
            .WithSummary("Streams every event as WebSocket text messages (connect with ws:// or wss://).")
            .WithDescription("A WebSocket upgrade (101 Switching Protocols); each message is one event as JSON. A plain GET gets 400.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status500InternalServerError)
            .WithResumeParameters(header: false)
            .WithRunQueryParameter("Only this run's events.")
            .WithMetricNamesQueryParameter();
        group.MapGet("/api/metrics/current", MetricsEndpoints.Current).WithName("TrainInsight.CurrentMetrics")
            .WithSummary("Gets the latest value of every metric of a run, merged across updates.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithRunQueryParameter("The run. The default is the run that published most recently.");
        group.MapGet("/api/metrics/history", MetricsEndpoints.History).WithName("TrainInsight.MetricsHistory")
            .WithSummary("Gets the latest metrics_update events held in memory, oldest first.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithQueryParameter("limit", $"The most events, 1 to {MetricsEndpoints.MaxHistoryLimit:N0}. The default is {MetricsEndpoints.DefaultHistoryLimit}.",
                OpenApiMetadata.Integer(1, MetricsEndpoints.MaxHistoryLimit))
            .WithRunQueryParameter("Only this run's events.");
        group.MapPost("/api/training/control", ControlEndpoint.HandleAsync).WithName("TrainInsight.Control")
            .WithSummary("Queues a control command (pause, resume, stop, a learning rate, a checkpoint, a restore, …) for one run or every active run.")
            .WithJsonRequestBody(typeof(ControlRequestModel), "The command, as application/json.")
            .Produces<ControlAcceptedModel>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/api/ingest", IngestEndpoint.HandleAsync).WithName("TrainInsight.Ingest")
            .WithSummary("Publishes a batch of metric points and training events from trainers in other processes.")
            .WithDescription("The body is an application/json batch as specified in docs/ingest.md; the whole batch is validated before any of it is published.")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status202Accepted, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        RunEndpoints.Map(group);
        if (IsRegistered(endpoints.ServiceProvider, typeof(TrainInsight.ITrainingAssistant)))
        {
            AssistantEndpoints.Map(group);
        }

        if (IsRegistered(endpoints.ServiceProvider, typeof(TrainInsight.IProposalService)))
        {
            ProposalEndpoints.Map(group);
        }

        if (options.MapOpenApiDocument)
        {
            group.MapGet(OpenApiMetadata.DocumentPath, OpenApiMetadata.WriteDocumentAsync)
                .WithName("TrainInsight.OpenApiDocument")
                .ExcludeFromDescription();
        }

        return new ConventionBuilder(group);
    }

    /// <summary>Whether a service is registered, without creating it (IServiceProviderIsService) where the container can tell.</summary>
    private static bool IsRegistered(IServiceProvider services, Type serviceType) =>
        services.GetService<IServiceProviderIsService>() is { } isService
            ? isService.IsService(serviceType)
            : services.GetService(serviceType) is not null;

    private sealed class ConventionBuilder(IEndpointConventionBuilder inner) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => inner.Add(convention);

        public void Finally(Action<EndpointBuilder> finallyConvention) => inner.Finally(finallyConvention);
    }
}
