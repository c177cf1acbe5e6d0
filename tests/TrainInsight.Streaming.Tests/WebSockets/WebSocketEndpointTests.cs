using System.Net;
using System.Net.WebSockets;
using System.Text;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.WebSockets;

public sealed class WebSocketEndpointTests
{
    private const string SocketPath = "ws/metrics";

    [Fact]
    public async Task HandleAsync_MetricEvent_SendsMetricsUpdateTextMessageWithMessageTypeFirst()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_250);
        await server.PublishAsync(new MetricEvent(Run("run-a"), 7, new Dictionary<string, double>
        {
            [MetricNames.TrainLoss] = 0.5,
            [MetricNames.StepsPerSecond] = 12.5,
        }, timestamp) { Epoch = 1 });

        var (type, text) = await client.ReceiveAsync(cts.Token);
        type.Should().Be(WebSocketMessageType.Text);
        text.Should().Be(
            """{"message_type":"metrics_update","timestamp":1767225600.25,"run_id":"run-a","sequence":1,"offset":1,"data":{"step":7,"epoch":1,"train_loss":0.5,"training_speed":12.5}}""");
    }

    [Fact]
    public async Task HandleAsync_TrainingEvent_SendsTrainingEventMessageWithEventAfterMessageType()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        var epoch = new TrainingEvent(Run("run-a"), TrainingEventKind.EpochCompleted)
        {
            Epoch = 2,
            Step = 200,
            State = RunState.Training,
            CheckpointPath = "checkpoints/epoch-2.bin",
            Metrics = new Dictionary<string, double> { [MetricNames.ValAccuracy] = 0.8, [MetricNames.BestAccuracy] = 0.85 },
        };
        await server.PublishAsync(epoch);

        var json = await client.ReceiveJsonAsync(cts.Token);
        json.EnumerateObject().Select(p => p.Name).Should().Equal("message_type", "event", "timestamp", "run_id", "sequence", "offset", "data");
        json.GetProperty("message_type").GetString().Should().Be("training_event");
        json.GetProperty("event").GetString().Should().Be("epoch_completed");
        json.GetProperty("offset").GetInt64().Should().Be(epoch.Offset);
        var data = json.GetProperty("data");
        data.GetProperty("epoch").GetInt32().Should().Be(2);
        data.GetProperty("metrics").GetProperty("val_accuracy").GetDouble().Should().Be(0.8);
        data.GetProperty("metrics").TryGetProperty("best_accuracy", out _).Should().BeFalse();
        data.GetProperty("best_accuracy").GetDouble().Should().Be(0.85);
        data.GetProperty("checkpoint_saved").GetBoolean().Should().BeTrue();
        data.GetProperty("checkpoint_path").GetString().Should().Be("checkpoints/epoch-2.bin");
    }

    [Fact]
    public async Task HandleAsync_AfterQuery_ReplaysHistoryThenLiveInOrder()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), Loss(run, 2), Loss(run, 3));
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?after=1"), cts.Token);

        await server.PublishAsync(Loss(run, 4));

        var offsets = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            offsets.Add((await client.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64());
        }

        offsets.Should().Equal(2, 3, 4);
    }

    [Fact]
    public async Task HandleAsync_RunFilter_SendsOnlyThatRun()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-b"), cts.Token);
        await server.WaitForSubscribersAsync(1);

        await server.PublishAsync(Loss(Run("run-a"), 1), Loss(Run("run-b"), 1));

        var json = await client.ReceiveJsonAsync(cts.Token);
        json.GetProperty("run_id").GetString().Should().Be("run-b");
        json.GetProperty("offset").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task HandleAsync_PlainGet_Returns400Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(SocketPath);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("WebSocket upgrade required");
    }

    [Fact]
    public async Task HandleAsync_HostWithoutUseWebSockets_UpgradeGets500ProblemSayingWhatToCall()
    {
        await using var server = await StreamingTestServer.StartAsync(useWebSockets: false);
        using var request = new HttpRequestMessage(HttpMethod.Get, SocketPath);
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));

        using var response = await server.Client.SendAsync(request);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.InternalServerError);
        problem.GetProperty("detail").GetString().Should().Contain("app.UseWebSockets()");
        server.Bus.GetStatistics().Subscribers.Should().Be(0);
    }

    [Theory]
    [InlineData("?after=abc")]
    [InlineData("?lastEventId=-1")]
    [InlineData("?run=not%20valid")]
    public async Task HandleAsync_UpgradeWithInvalidQuery_Rejects400(string query)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;

        var connect = () => client.ConnectAsync(server.WebSocketUri(SocketPath + query), cts.Token);

        await connect.Should().ThrowAsync<WebSocketException>();
        client.HttpStatusCode.Should().Be(HttpStatusCode.BadRequest);
        server.Bus.GetStatistics().Subscribers.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_ClientNeverReads_PublisherIsNeverHeldUpAndLossesAreCounted()
    {
        // A long heartbeat so that the keep-alive timeout does not disconnect the idle client during the test.
        await using var server = await StreamingTestServer.StartAsync(o =>
        {
            o.ClientQueueCapacity = 16;
            o.HeartbeatInterval = TimeSpan.FromMinutes(5);
        });
        using var cts = Eventually.Timeout();
        using var stalled = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        // ~1.5 KB per message, 20,000 messages: far more than the socket buffers hold.
        var run = Run("run-a");
        var padding = Enumerable.Range(0, 60).Select(i => ($"extra_metric_{i:D2}", i * 0.123456789)).ToArray();
        var accepted = 0;
        for (var step = 1; step <= 20_000; step++)
        {
            if (server.Bus.TryPublish(Metric(run, step, padding)))
            {
                accepted++;
            }
        }

        accepted.Should().Be(20_000);
        await Eventually.SucceedsAsync(() => server.Bus.GetStatistics().DroppedAtSubscribers > 0, "the stalled client's losses to be counted");
        await server.WaitForDispatchAsync();
        server.Bus.GetStatistics().DroppedAtIngest.Should().Be(0);

        // Others are still served: a new WebSocket client, an SSE client and the REST endpoints.
        var marker = Run("marker");
        var after = server.Bus.GetStatistics().LastOffset;
        using var other = await WebSocketReader.ConnectAsync(server.WebSocketUri($"{SocketPath}?run=marker&after={after}"), cts.Token);
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"api/stream/metrics?run=marker&after={after}", cts.Token), cts.Token);
        await server.PublishAsync(Loss(marker, 1));

        (await other.ReceiveJsonAsync(cts.Token)).GetProperty("run_id").GetString().Should().Be("marker");
        (await sse.NextAsync()).Json().GetProperty("run_id").GetString().Should().Be("marker");
        using var current = await server.Client.GetAsync("api/metrics/current?run=marker", cts.Token);
        current.StatusCode.Should().Be(HttpStatusCode.OK);

        stalled.Abort();
    }

    [Fact]
    public async Task HandleAsync_ClientCloses_CloseHandshakeCompletesAndUnsubscribes()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);
        await server.PublishAsync(Loss(Run(), 1));
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64().Should().Be(1);

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cts.Token);

        client.State.Should().Be(WebSocketState.Closed);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.NormalClosure);
        await Eventually.SucceedsAsync(() => server.Bus.GetStatistics().Subscribers == 0, "the WebSocket subscription to end");
    }

    [Fact]
    public async Task HandleAsync_ClientSendsText_IsIgnoredAndStreamingContinues()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        await client.SendAsync(Encoding.UTF8.GetBytes("""{"hello":"server"}"""), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        await server.PublishAsync(Loss(Run(), 1));

        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64().Should().Be(1);
        client.State.Should().Be(WebSocketState.Open);
    }

    [Theory]
    [InlineData(1, 2_000)] // one frame, smaller than the server's read buffer
    [InlineData(1, 10_000)] // one frame, larger than the server's read buffer
    [InlineData(4, 500)] // fragments that add up to more than the limit
    public async Task HandleAsync_ClientMessageOverLimit_ClosesWithMessageTooBig(int fragments, int fragmentBytes)
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxRequestBodyBytes = 1024);
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);

        var fragment = Encoding.UTF8.GetBytes(new string('x', fragmentBytes));
        for (var i = 1; i <= fragments; i++)
        {
            await client.SendAsync(fragment, WebSocketMessageType.Text, endOfMessage: i == fragments, cts.Token);
        }

        var (type, _) = await client.ReceiveAsync(cts.Token);
        type.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.MessageTooBig);
    }

    [Fact]
    public async Task HandleAsync_ClientMessageAtLimit_IsAccepted()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxRequestBodyBytes = 1024);
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        await client.SendAsync(Encoding.UTF8.GetBytes(new string('x', 1024)), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("message_type").GetString().Should().Be("error", "a message that is not JSON is answered, not fatal");
        await server.PublishAsync(Loss(Run(), 1));

        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task HandleAsync_HostStops_ClosesWithEndpointUnavailable()
    {
        // A long shutdown timeout: the socket must close because the host is stopping, not because stopping gave up waiting.
        var server = await StreamingTestServer.StartAsync(shutdownTimeout: TimeSpan.FromMinutes(2));
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        var stopping = server.App.StopAsync(CancellationToken.None);
        var (type, _) = await client.ReceiveAsync(cts.Token);

        type.Should().Be(WebSocketMessageType.Close);
        client.CloseStatus.Should().Be(WebSocketCloseStatus.EndpointUnavailable);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", cts.Token);
        await stopping.WaitAsync(cts.Token);
        await server.DisposeAsync();
    }
}
