using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests;

public sealed class TrainInsightEndpointRouteBuilderExtensionsTests
{
    private static readonly string[] s_routes =
    [
        "/api/stream/metrics",
        "/ws/metrics",
        "/api/metrics/current",
        "/api/metrics/history",
        "/api/training/control",
        "/api/ingest",
        "/api/runs",
        "/api/runs/{id}",
        "/api/runs/{id}/metrics",
        "/api/runs/{id}/commands",
        "/api/runs/{id}/findings",
        "/openapi/traininsight.json",
    ];

    [Fact]
    public void MapTrainInsight_WithoutAddStreaming_ThrowsInvalidOperationException()
    {
        var builder = NewBuilder();
        builder.Services.AddTrainInsight();
        using var app = builder.Build();

        var map = () => app.MapTrainInsight();

        map.Should().Throw<InvalidOperationException>().WithMessage("*AddStreaming()*");
    }

    [Fact]
    public void MapTrainInsight_WithoutAnyTrainInsightServices_ThrowsInvalidOperationException()
    {
        using var app = NewBuilder().Build();

        var map = () => app.MapTrainInsight();

        map.Should().Throw<InvalidOperationException>();
    }

    [Fact]
    public void MapTrainInsight_NullArguments_ThrowArgumentNullException()
    {
        using var app = BuildApp();

        ((Action)(() => TrainInsightEndpointRouteBuilderExtensions.MapTrainInsight(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => app.MapTrainInsight(null!))).Should().Throw<ArgumentNullException>();
    }

    [Theory]
    [InlineData("ti")]
    [InlineData("/ti/")]
    [InlineData("/")]
    [InlineData("ti/")]
    public void MapTrainInsight_BadPrefix_ThrowsArgumentException(string prefix)
    {
        using var app = BuildApp();

        var map = () => app.MapTrainInsight(prefix);

        map.Should().Throw<ArgumentException>().Which.ParamName.Should().Be("prefix");
    }

    [Fact]
    public async Task MapTrainInsight_NoPrefix_MapsDocumentedRoutesWithNames()
    {
        await using var server = await StreamingTestServer.StartAsync();

        var endpoints = TrainInsightEndpoints(server);

        endpoints.Select(e => e.RoutePattern.RawText).Should().BeEquivalentTo(s_routes);
        endpoints.Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName).Should().BeEquivalentTo(
            "TrainInsight.StreamMetrics", "TrainInsight.WebSocketMetrics", "TrainInsight.CurrentMetrics", "TrainInsight.MetricsHistory", "TrainInsight.Control",
            "TrainInsight.Ingest", "TrainInsight.ListRuns", "TrainInsight.GetRun", "TrainInsight.GetRunMetrics", "TrainInsight.GetRunCommands",
            "TrainInsight.GetRunFindings", "TrainInsight.OpenApiDocument");
        endpoints.Single(e => e.RoutePattern.RawText == "/api/training/control")
            .Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Should().Equal("POST");
        endpoints.Single(e => e.RoutePattern.RawText == "/api/ingest")
            .Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Should().Equal("POST");
    }

    [Fact]
    public async Task MapTrainInsight_Prefix_MapsEveryRouteUnderPrefixOnly()
    {
        await using var server = await StreamingTestServer.StartAsync(prefix: "/ti");
        using var cts = Eventually.Timeout();
        await server.PublishAsync(Loss(Run("run-a"), 1));

        TrainInsightEndpoints(server).Select(e => e.RoutePattern.RawText).Should().BeEquivalentTo(s_routes.Select(r => "/ti" + r));
        using (var current = await server.Client.GetAsync("ti/api/metrics/current", cts.Token))
        {
            current.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        using (var unprefixed = await server.Client.GetAsync("api/metrics/current", cts.Token))
        {
            unprefixed.StatusCode.Should().Be(HttpStatusCode.NotFound);
            (await unprefixed.Content.ReadAsStringAsync(cts.Token)).Should().BeEmpty("no TrainInsight endpoint answered");
        }

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("ti/api/stream/metrics?after=0", cts.Token), cts.Token);
        (await sse.NextAsync()).Id().Should().Be(1);
        using var socket = await WebSocketReader.ConnectAsync(server.WebSocketUri("ti/ws/metrics?after=0"), cts.Token);
        (await socket.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task MapTrainInsight_ReturnedBuilder_AppliesConventionsToEveryEndpoint()
    {
        var marker = new ConventionMarker();
        await using var server = await StreamingTestServer.StartAsync(configureEndpoints: endpoints =>
        {
            endpoints.Add(b => b.Metadata.Add(marker));
            endpoints.WithMetadata("extra-metadata");
            endpoints.Finally(b => b.Metadata.Add(new FinallyMarker()));
        });

        var mapped = TrainInsightEndpoints(server);

        mapped.Should().HaveCount(s_routes.Length);
        mapped.Should().OnlyContain(e =>
            e.Metadata.GetMetadata<ConventionMarker>() == marker &&
            e.Metadata.Contains("extra-metadata") &&
            e.Metadata.GetMetadata<FinallyMarker>() != null);
    }

    [Fact]
    public async Task MapTrainInsight_ReturnedBuilder_EndpointFilterRunsForRequests()
    {
        await using var server = await StreamingTestServer.StartAsync(configureEndpoints: endpoints =>
            endpoints.AddEndpointFilter((_, _) => ValueTask.FromResult<object?>(Results.StatusCode(StatusCodes.Status418ImATeapot))));

        using var history = await server.Client.GetAsync("api/metrics/history");

        history.StatusCode.Should().Be((HttpStatusCode)418);
    }

    [Fact]
    public void MapTrainInsight_ReturnedBuilder_DoesNotExposeRouteGroup()
    {
        using var app = BuildApp();

        var endpoints = app.MapTrainInsight("/ti");

        endpoints.Should().NotBeAssignableTo<RouteGroupBuilder>();
    }

    private static WebApplicationBuilder NewBuilder()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.Services.AddRoutingCore();
        return builder;
    }

    private static WebApplication BuildApp()
    {
        var builder = NewBuilder();
        builder.Services.AddTrainInsight().AddStreaming();
        return builder.Build();
    }

    private static List<RouteEndpoint> TrainInsightEndpoints(StreamingTestServer server) =>
    [
        .. server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName.StartsWith("TrainInsight.", StringComparison.Ordinal) == true),
    ];

    private sealed class ConventionMarker;

    private sealed class FinallyMarker;
}
