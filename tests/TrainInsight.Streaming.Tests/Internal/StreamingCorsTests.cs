using System.Net;
using Microsoft.AspNetCore.Builder;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Internal;

public sealed class StreamingCorsTests
{
    private const string Allowed = "https://dashboard.example.com";
    private const string Other = "https://evil.example.com";

    [Fact]
    public async Task Preflight_AllowedOrigin_GetsPolicyHeaders()
    {
        await using var server = await StartWithCorsAsync(Allowed);

        using var response = await server.Client.SendAsync(Preflight("api/training/control", Allowed, "POST", "content-type"));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(Allowed);
        response.Headers.GetValues("Access-Control-Allow-Methods").Single().Split(',').Should().BeEquivalentTo("GET", "POST");
        response.Headers.GetValues("Access-Control-Allow-Headers").Single().Split(',').Should().BeEquivalentTo("Content-Type", "Last-Event-ID");
        response.Headers.GetValues("Access-Control-Max-Age").Should().Equal("600");
        response.Headers.Contains("Access-Control-Allow-Credentials").Should().BeFalse();
    }

    [Fact]
    public async Task Preflight_SseWithLastEventId_IsAllowed()
    {
        await using var server = await StartWithCorsAsync(Allowed);

        using var response = await server.Client.SendAsync(Preflight("api/stream/metrics", Allowed, "GET", "last-event-id"));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(Allowed);
    }

    [Fact]
    public async Task Preflight_DisallowedOrigin_GetsNoCorsHeaders()
    {
        await using var server = await StartWithCorsAsync(Allowed);

        using var response = await server.Client.SendAsync(Preflight("api/training/control", Other, "POST", "content-type"));

        response.Headers.Should().NotContain(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Get_DisallowedOrigin_GetsNoAllowOrigin()
    {
        await using var server = await StartWithCorsAsync(Allowed);

        using var response = await SendAsync(server, HttpMethod.Get, "api/runs", Other);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
    }

    [Fact]
    public async Task Sse_AllowedOrigin_ResponseCarriesAllowOrigin()
    {
        await using var server = await StartWithCorsAsync(Allowed);
        using var cts = Eventually.Timeout();
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/stream/metrics");
        request.Headers.Add("Origin", Allowed);

        using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(Allowed);
    }

    [Theory]
    [InlineData("api/runs")]
    [InlineData("api/metrics/history")]
    [InlineData("openapi/traininsight.json")]
    public async Task Get_AllowedOrigin_ResponseCarriesAllowOrigin(string path)
    {
        await using var server = await StartWithCorsAsync(Allowed);

        using var response = await SendAsync(server, HttpMethod.Get, path, Allowed);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal(Allowed);
    }

    [Fact]
    public async Task Get_AnyOriginAllowed_AnswersStar()
    {
        await using var server = await StartWithCorsAsync("*");

        using var response = await SendAsync(server, HttpMethod.Get, "api/runs", Other);

        response.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("*");
    }

    [Fact]
    public async Task Get_NoAllowedOrigins_GetsNoCorsHeadersEvenWithUseCors()
    {
        await using var server = await StreamingTestServer.StartAsync(configureApp: app => app.UseCors());

        using var get = await SendAsync(server, HttpMethod.Get, "api/runs", Allowed);
        using var preflight = await server.Client.SendAsync(Preflight("api/training/control", Allowed, "POST", "content-type"));

        get.Headers.Contains("Access-Control-Allow-Origin").Should().BeFalse();
        preflight.Headers.Should().NotContain(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Get_AllowedOriginsWithoutUseCors_FailsWithServerError()
    {
        // The framework refuses to run an endpoint whose CORS metadata no middleware applied; hosts must call UseCors().
        await using var server = await StreamingTestServer.StartAsync(o => o.AllowedOrigins.Add(Allowed));

        using var response = await SendAsync(server, HttpMethod.Get, "api/runs", Allowed);

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
    }

    [Theory]
    [InlineData("https://dashboard.example.com/")]
    [InlineData("https://dashboard.example.com/app")]
    [InlineData("dashboard.example.com")]
    [InlineData("ftp://dashboard.example.com")]
    [InlineData("")]
    public async Task MapTrainInsight_MalformedOrigin_ThrowsInvalidOperationException(string origin)
    {
        var start = () => StreamingTestServer.StartAsync(o => o.AllowedOrigins.Add(origin), configureApp: app => app.UseCors());

        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage($"*'{origin}'*not an origin*");
    }

    private static Task<StreamingTestServer> StartWithCorsAsync(string origin) =>
        StreamingTestServer.StartAsync(o => o.AllowedOrigins.Add(origin), configureApp: app => app.UseCors());

    private static HttpRequestMessage Preflight(string path, string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static async Task<HttpResponseMessage> SendAsync(StreamingTestServer server, HttpMethod method, string path, string origin)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Origin", origin);
        return await server.Client.SendAsync(request);
    }
}
