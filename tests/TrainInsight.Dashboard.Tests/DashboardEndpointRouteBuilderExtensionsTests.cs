using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TrainInsight.Dashboard.Tests;

public sealed class DashboardEndpointRouteBuilderExtensionsTests
{
    private static async Task<(WebApplication App, HttpClient Http)> StartAsync(string path = "/", Action<DashboardOptions>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddTrainInsight().AddStreaming();
        var app = builder.Build();
        app.MapTrainInsight();
        app.MapTrainInsightDashboard(path, configure);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None, AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
        return (app, http);
    }

    [Fact]
    public async Task MapTrainInsightDashboard_GetRoot_ServesThePageWithItsSecurityAndCacheHeaders()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;

        using var response = await http.GetAsync("/");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.ToString().Should().Be("text/html; charset=utf-8");
        response.Headers.CacheControl!.NoCache.Should().BeTrue("the page is revalidated, so a new version is seen at once");
        response.Headers.ETag.Should().NotBeNull();
        response.Headers.GetValues("Content-Security-Policy").Single().Should().Contain("default-src 'self'").And.Contain("script-src 'self'");
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        var html = await response.Content.ReadAsStringAsync();
        html.Should().Contain("<title>TrainInsight</title>").And.Contain("assets/js/app.js?v=");
    }

    [Fact]
    public async Task MapTrainInsightDashboard_VersionedAsset_IsCachedForAYearAndUnversionedIsRevalidated()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;
        var html = await http.GetStringAsync("/");
        var versioned = System.Text.RegularExpressions.Regex.Match(html, "assets/js/app\\.js\\?v=[0-9a-f]+").Value;

        using var cached = await http.GetAsync("/" + versioned);
        using var plain = await http.GetAsync("/assets/js/app.js");
        using var stale = await http.GetAsync("/assets/js/app.js?v=000000000000");

        cached.StatusCode.Should().Be(HttpStatusCode.OK);
        cached.Content.Headers.ContentType!.ToString().Should().Be("text/javascript; charset=utf-8");
        cached.Headers.CacheControl!.ToString().Should().Be("public, max-age=31536000, immutable");
        plain.Headers.CacheControl!.NoCache.Should().BeTrue();
        stale.Headers.CacheControl!.NoCache.Should().BeTrue("an old version's URL must not pin today's file for a year");
        (await plain.Content.ReadAsStringAsync()).Should().Contain("LiveStream");
    }

    [Fact]
    public async Task MapTrainInsightDashboard_IfNoneMatchTheETag_Answers304WithoutABody()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;
        using var first = await http.GetAsync("/assets/app.css");

        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/app.css");
        request.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        using var second = await http.SendAsync(request);

        second.StatusCode.Should().Be(HttpStatusCode.NotModified);
        (await second.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        second.Headers.ETag.Should().Be(first.Headers.ETag);
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("gzip;q=1, br;q=0", "gzip")]
    [InlineData("identity", null)]
    public async Task MapTrainInsightDashboard_AcceptEncoding_AnswersTheBestAcceptedEncodingOfTheSameBytes(string accept, string? expected)
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;
        using var identity = await http.GetAsync("/assets/vendor/uplot/uPlot.iife.min.js");
        var plain = await identity.Content.ReadAsByteArrayAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/assets/vendor/uplot/uPlot.iife.min.js");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        response.Content.Headers.ContentEncoding.SingleOrDefault().Should().Be(expected);
        response.Headers.Vary.Should().Contain("Accept-Encoding");
        response.Content.Headers.ContentLength.Should().Be(body.Length);
        Decode(body, expected).Should().Equal(plain);
        if (expected is not null)
        {
            body.Length.Should().BeLessThan(plain.Length / 2);
            response.Headers.ETag!.Tag.Should().NotBe(identity.Headers.ETag!.Tag, "each encoding is a different representation");
        }
    }

    [Fact]
    public async Task MapTrainInsightDashboard_Head_AnswersTheHeadersWithoutABody()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;

        using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/assets/js/app.js"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentLength.Should().BeGreaterThan(1_000);
        (await response.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task MapTrainInsightDashboard_UnknownAsset_IsProblem404()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;

        using var response = await http.GetAsync("/assets/js/nope.js");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await response.Content.ReadAsStringAsync()).Should().Contain("assets/js/nope.js");
    }

    [Fact]
    public async Task MapTrainInsightDashboard_SubPathWithoutSlash_RedirectsToThePathWithASlash()
    {
        var (app, http) = await StartAsync("/dashboard", o => o.Title = "Lab");
        await using var _ = app;
        using var __ = http;

        using var redirect = await http.GetAsync("/dashboard?x=1");
        using var page = await http.GetAsync("/dashboard/");
        using var asset = await http.GetAsync("/dashboard/assets/app.css");
        using var root = await http.GetAsync("/assets/app.css");

        redirect.StatusCode.Should().Be(HttpStatusCode.MovedPermanently);
        redirect.Headers.Location!.ToString().Should().Be("/dashboard/?x=1");
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        (await page.Content.ReadAsStringAsync()).Should().Contain("<title>Lab</title>").And.Contain("\"mount_path\":\"/dashboard\"");
        asset.StatusCode.Should().Be(HttpStatusCode.OK);
        root.StatusCode.Should().Be(HttpStatusCode.NotFound, "nothing is mapped outside the dashboard's path");
    }

    [Fact]
    public async Task MapTrainInsightDashboard_Always_LeavesTheApiAndItsOpenApiDocumentAlone()
    {
        var (app, http) = await StartAsync();
        await using var _ = app;
        using var __ = http;

        using var runs = await http.GetAsync("/api/runs");
        var openApi = await http.GetStringAsync("/openapi/traininsight.json");

        runs.StatusCode.Should().Be(HttpStatusCode.OK);
        openApi.Should().NotContain("assets/{");
    }

    [Theory]
    [InlineData("")]
    [InlineData("dashboard")]
    [InlineData("/dashboard/")]
    [InlineData("/a//b")]
    [InlineData("/a b")]
    public void MapTrainInsightDashboard_BadPath_Throws(string path)
    {
        var app = WebApplication.CreateSlimBuilder().Build();

        var act = () => app.MapTrainInsightDashboard(path);

        act.Should().Throw<ArgumentException>().Which.ParamName.Should().Be(nameof(path));
    }

    [Fact]
    public void MapTrainInsightDashboard_NullArguments_Throw()
    {
        var app = WebApplication.CreateSlimBuilder().Build();

        ((Action)(() => DashboardEndpointRouteBuilderExtensions.MapTrainInsightDashboard(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => app.MapTrainInsightDashboard(null!))).Should().Throw<ArgumentNullException>();
    }

    private static byte[] Decode(byte[] body, string? encoding)
    {
        if (encoding is null)
        {
            return body;
        }

        using Stream decoder = encoding == "br"
            ? new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)
            : new GZipStream(new MemoryStream(body), CompressionMode.Decompress);
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}
