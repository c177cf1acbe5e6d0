using System.Net.ServerSentEvents;
using System.Text.Json;
using TrainInsight.Cli.Commands;
using TrainInsight.Tests.Shared;

namespace TrainInsight.Cli.Tests.Commands;

public sealed class ServeCommandTests : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(30);
    private readonly string _logdir = Directory.CreateTempSubdirectory("traininsight-serve-").FullName;

    public void Dispose() => Directory.Delete(_logdir, recursive: true);

    [Fact]
    public async Task Serve_RecordsAppendedWhileAClientListens_ReachItOverSseInOrder()
    {
        var path = Path.Combine(_logdir, "version_0", "train", "events.out.tfevents.1700000000.my.host.1.0");
        using var writer = new TfEventsWriter(path);
        writer.Scalars(1, 1_700_000_000, ("Loss/train", 2f));

        await using var server = await TensorBoardServer.StartAsync(
            _logdir, "http://127.0.0.1:0", new Dictionary<string, string> { ["Loss/train"] = "train_loss" }, TimeSpan.FromMilliseconds(200), null, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = s_patience };
        using var cts = new CancellationTokenSource(s_patience);
        // Last-Event-ID 0: everything from the start, including what the tailer published before the client came.
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/stream/metrics");
        request.Headers.Add("Last-Event-ID", "0");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
        await using var items = SseParser.Create(stream, (_, data) => JsonDocument.Parse(data.ToArray()).RootElement.Clone())
            .EnumerateAsync(cts.Token).GetAsyncEnumerator(cts.Token);

        // What the file held before the client came: the run and its first value.
        var first = await NextMetricsAsync(items);
        first.GetProperty("run_id").GetString().Should().Be("version_0.train");
        first.GetProperty("data").GetProperty("step").GetInt64().Should().Be(1);
        first.GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(2);

        // Appended while the client listens: a grown file, then a new run with a tag that keeps its name.
        writer.Scalars(2, 1_700_000_001, ("Loss/train", 1.5f));
        using (var other = new TfEventsWriter(Path.Combine(_logdir, "version_0", "validation", "events.out.tfevents.1700000005.my.host.1.0")))
        {
            var second = await NextMetricsAsync(items);
            second.GetProperty("data").GetProperty("step").GetInt64().Should().Be(2);
            second.GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(1.5);

            other.Scalars(2, 1_700_000_002, ("Loss/val", 1.75f));
            var third = await NextMetricsAsync(items);
            third.GetProperty("run_id").GetString().Should().Be("version_0.validation");
            third.GetProperty("data").GetProperty("advanced_metrics").GetProperty("Loss/val").GetDouble().Should().Be(1.75);
        }

        // The run list comes from the store, which the bus writes every 500 ms: wait for it to catch up.
        var runs = await Poll.UntilAsync(
            () => http.GetStringAsync("api/runs", cts.Token), r => r.Contains("version_0.validation", StringComparison.Ordinal), "the store lists both runs");

        runs.Should().Contain("\"name\":\"version_0/train\"").And.Contain("\"name\":\"version_0/validation\"");

        // The dashboard is at "/": the page, and the charting library it embeds (nothing from a CDN).
        var page = await http.GetStringAsync(string.Empty, cts.Token);
        page.Should().Contain("<title>TrainInsight</title>").And.Contain("assets/vendor/uplot/uPlot.iife.min.js?v=");
        using var uplot = await http.GetAsync("assets/vendor/uplot/uPlot.iife.min.js", cts.Token);
        uplot.EnsureSuccessStatusCode();
        server.Tailer.GetStatistics().Should().Match<TrainInsight.TensorBoard.TensorBoardTailerStatistics>(s => s.Runs == 2 && s.Files == 2 && s.Scalars == 3);
    }

    [Theory]
    [InlineData("foo")]
    [InlineData("http://127.0.0.1:99999")]
    public async Task Serve_InvalidUrls_ExitsTwoWithTheReason(string urls)
    {
        var (code, _, stderr) = await ExportCommandTests.RunAsync("tb", "serve", _logdir, "--urls", urls);

        code.Should().Be(2);
        stderr.Should().Contain($"--urls '{urls}' is not a valid address");
    }

    [Theory]
    [InlineData("must be one of none, openai, azure, openai-compatible, ollama, gguf, not 'foo'", "--llm", "foo")]
    [InlineData("--llm openai-compatible needs --llm-endpoint", "--llm", "openai-compatible")]
    [InlineData("--llm azure needs --llm-model <deployment name>", "--llm", "azure", "--llm-endpoint", "https://x.openai.azure.com", "--llm-key", "k")]
    [InlineData("--llm gguf is not built into this program", "--llm", "gguf", "--llm-gguf", "model.gguf")]
    [InlineData("--llm-endpoint must be an absolute http:// or https:// address", "--llm", "ollama", "--llm-endpoint", "localhost:11434")]
    public async Task Serve_BadLlmOptions_ExitsTwoWithTheReason(string reason, params string[] options)
    {
        var (code, _, stderr) = await ExportCommandTests.RunAsync(["tb", "serve", _logdir, "--urls", "http://127.0.0.1:0", .. options]);

        code.Should().Be(2);
        stderr.Should().Contain(reason);
    }

    [Fact]
    public async Task Serve_ModelUnreachable_AssistantAnswersFromTheRulesSayingWhy()
    {
        var path = Path.Combine(_logdir, "run1", "events.out.tfevents.1700000000.my.host.1.0");
        using (var writer = new TfEventsWriter(path))
        {
            for (var step = 1; step <= 20; step++)
            {
                writer.Scalars(step, 1_700_000_000 + step, ("train_loss", (float)(2.0 / step)));
            }
        }

        // A real OpenAI client pointed at a port nobody listens on: the model is down.
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var llm = Llm.ChatClientSettings.FromEnvironment(_ => null);
        llm.TryParse("--llm", () => "openai-compatible");
        llm.TryParse("--llm-endpoint", () => $"http://127.0.0.1:{port}/v1");
        await using var server = await TensorBoardServer.StartAsync(_logdir, "http://127.0.0.1:0", new Dictionary<string, string>(), TimeSpan.FromMilliseconds(100), llm, CancellationToken.None);
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = s_patience };
        await Poll.UntilAsync(() => server.Bus.GetCurrent("run1")?.Step == 20, "the tailer published the run");

        using var response = await http.PostAsync("api/assistant/analyze", new StringContent("""{"run_id":"run1"}""", System.Text.Encoding.UTF8, "application/json"));

        response.EnsureSuccessStatusCode();
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        answer.GetProperty("source").GetString().Should().Be("rules");
        answer.GetProperty("notice").GetString().Should().StartWith("The model failed (").And.EndWith("this answer comes from the rules.");
        answer.GetProperty("text").GetString().Should().Contain("at step 20").And.Contain("train_loss 0.1");
    }

    [Fact]
    public async Task Serve_MissingDirectory_ExitsOneNamingIt()
    {
        var missing = Path.Combine(_logdir, "absent");
        var (code, _, stderr) = await ExportCommandTests.RunAsync("tb", "serve", missing, "--urls", "http://127.0.0.1:0");

        code.Should().Be(1);
        stderr.Should().Contain(missing).And.Contain("does not exist");
    }

    private static async Task<JsonElement> NextMetricsAsync(IAsyncEnumerator<SseItem<JsonElement>> items)
    {
        while (await items.MoveNextAsync())
        {
            if (items.Current.EventType == "metrics_update")
            {
                return items.Current.Data;
            }
        }

        throw new InvalidOperationException("The stream ended.");
    }
}
