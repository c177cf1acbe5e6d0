using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace TrainInsight.Samples.AspNet.Tests;

/// <summary>The embedding sample on real Kestrel: its own endpoints stay as they were, TrainInsight lives under /training behind the service's authentication.</summary>
public sealed class ServiceAppTests : IAsyncLifetime
{
    private const string Viewer = "viewer-key";
    private const string Trainer = "trainer-key";

    private WebApplication _app = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _app = ServiceApp.Build([], builder =>
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["ApiKeys:viewer-key:Role"] = "viewer";
            builder.Configuration["ApiKeys:trainer-key:Role"] = "trainer";
            builder.Configuration["ApiKeys:trainer-key:Name"] = "gpu-node-1";
        });
        await _app.StartAsync();
        _http = new HttpClient { BaseAddress = new Uri(_app.Urls.First()) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task OwnEndpoints_Anonymous_AnswerAsBefore()
    {
        (await _http.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        var models = JsonDocument.Parse(await _http.GetStringAsync("/api/models")).RootElement;
        models.EnumerateArray().Select(m => m.GetProperty("name").GetString()).Should().Equal("defect-detector", "part-segmenter");
        (await _http.GetAsync("/api/me")).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/training/api/runs")]
    [InlineData("/training/api/metrics/current")]
    [InlineData("/training/api/stream/metrics")]
    [InlineData("/training/openapi/traininsight.json")]
    public async Task TrainingEndpoints_WithoutOrWithAWrongKey_Return401(string path)
    {
        using var anonymous = await _http.GetAsync(path);
        using var wrong = await SendAsync(HttpMethod.Get, path, "not-a-key");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        anonymous.Headers.WwwAuthenticate.ToString().Should().Be("ApiKey");
        wrong.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TrainingEndpoints_AtTheRoot_AreNotMapped() =>
        (await SendAsync(HttpMethod.Get, "/api/runs", Viewer)).StatusCode.Should().Be(HttpStatusCode.NotFound);

    [Fact]
    public async Task Ingest_ViewerKey_Forbidden_TrainerKey_PublishesAndTheViewerReadsItBackOverSse()
    {
        var batch = """{"runs":[{"run":{"id":"remote-run","hyperparameters":{"optimizer":"sgd"}},"events":[{"type":"metrics_update","sequence":1,"timestamp":1795483081.5,"step":10,"values":{"train_loss":0.42}}]}]}""";

        using var asViewer = await SendAsync(HttpMethod.Post, "/training/api/ingest", Viewer, batch);
        asViewer.StatusCode.Should().Be(HttpStatusCode.Forbidden, "ingesting another host's runs needs a trainer's key");

        using var asTrainer = await SendAsync(HttpMethod.Post, "/training/api/ingest", Trainer, batch);
        asTrainer.StatusCode.Should().Be(HttpStatusCode.Accepted);

        // A browser's EventSource cannot set headers: the key goes in the query string.
        using var cts = new CancellationTokenSource(Poll.DefaultTimeout);
        using var stream = await _http.GetAsync($"/training/api/stream/metrics?after=0&api_key={Viewer}", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        stream.StatusCode.Should().Be(HttpStatusCode.OK);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cts.Token));
        string? data = null;
        while (data is null && await reader.ReadLineAsync(cts.Token) is { } line)
        {
            data = line.StartsWith("data: ", StringComparison.Ordinal) ? line[6..] : null;
        }

        var update = JsonDocument.Parse(data!).RootElement;
        update.GetProperty("run_id").GetString().Should().Be("remote-run");
        update.GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(0.42);
    }

    [Fact]
    public async Task Control_ViewerKey_Forbidden_TrainerKeyReachesTheMailbox()
    {
        using var asViewer = await SendAsync(HttpMethod.Post, "/training/api/training/control", Viewer, """{"action":"pause"}""");
        using var asTrainer = await SendAsync(HttpMethod.Post, "/training/api/training/control", Trainer, """{"action":"pause"}""");

        asViewer.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        asTrainer.StatusCode.Should().Be(HttpStatusCode.Conflict, "authorized, but no run is training to be paused");
        asTrainer.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Assistant_UnderThePrefixAndItsPolicy_AnswersAViewerFromTheRules()
    {
        using var anonymous = await SendAsync(HttpMethod.Post, "/training/api/assistant/diagnose", null, """{"run_id":"remote-run"}""");
        using var unknown = await SendAsync(HttpMethod.Post, "/training/api/assistant/diagnose", Viewer, """{"run_id":"nobody"}""");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound, "authorized; the run is unknown");
        unknown.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task WebSocket_KeyInTheQuery_ConnectsAndReceivesEvents()
    {
        using var client = new ClientWebSocket();
        var address = new Uri(_app.Urls.First().Replace("http", "ws", StringComparison.Ordinal) + $"/training/ws/metrics?api_key={Viewer}");
        using var cts = new CancellationTokenSource(Poll.DefaultTimeout);
        await client.ConnectAsync(address, cts.Token);

        using var ingest = await SendAsync(HttpMethod.Post, "/training/api/ingest", Trainer,
            """{"runs":[{"run":{"id":"ws-run"},"events":[{"type":"metrics_update","sequence":1,"timestamp":1795483081.5,"step":1,"values":{"train_loss":1.5}}]}]}""");
        ingest.StatusCode.Should().Be(HttpStatusCode.Accepted);

        var buffer = new byte[64 * 1024];
        var received = await client.ReceiveAsync(buffer, cts.Token);
        var message = JsonDocument.Parse(buffer.AsMemory(0, received.Count)).RootElement;
        message.GetProperty("message_type").GetString().Should().Be("metrics_update");
        message.GetProperty("run_id").GetString().Should().Be("ws-run");
    }

    [Fact]
    public async Task RestEndpoints_ViewerKey_ServeTheIngestedRunWithItsHyperparameters()
    {
        using var ingest = await SendAsync(HttpMethod.Post, "/training/api/ingest", Trainer,
            """{"runs":[{"run":{"id":"rest-run","hyperparameters":{"batch_size":64}},"events":[{"type":"training_event","sequence":1,"timestamp":1795483081.5,"kind":"run_started","state":"training"}]}]}""");
        ingest.StatusCode.Should().Be(HttpStatusCode.Accepted);

        var run = await Poll.UntilAsync(
            async () => await SendAsync(HttpMethod.Get, "/training/api/runs/rest-run", Viewer), r => r.StatusCode == HttpStatusCode.OK, "the store holds the run");
        var json = JsonDocument.Parse(await run.Content.ReadAsStringAsync()).RootElement;
        json.GetProperty("hyperparameters").GetProperty("batch_size").GetInt32().Should().Be(64);
        using var me = await SendAsync(HttpMethod.Get, "/api/me", Trainer);
        (await me.Content.ReadAsStringAsync()).Should().Contain("gpu-node-1");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await _http.SendAsync(request);
    }
}
