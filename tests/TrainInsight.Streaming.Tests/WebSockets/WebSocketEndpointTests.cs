using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
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
        }, timestamp)
        { Epoch = 1 });

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
    public async Task HandleAsync_FindingEvent_SendsFindingMessageWithMessageTypeFirst()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        await server.PublishAsync(Finding(Run("run-a")));

        var (type, text) = await client.ReceiveAsync(cts.Token);
        type.Should().Be(WebSocketMessageType.Text);
        text.Should().Be("""{"message_type":"finding","timestamp":1767225600.25,"run_id":"run-a","sequence":1,"offset":1,"data":""" + Serialization.WireFormatTests.FindingData + "}");
    }

    [Fact]
    public async Task HandleAsync_MetricFilters_FindingsStillArrive()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var byQuery = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?names=val_loss"), cts.Token);
        using var bySubscribe = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await SendTextAsync(bySubscribe, """{"type":"subscribe","runs":["run-a"],"metrics":["learning_rate"]}""", cts.Token);
        (await bySubscribe.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["run-a"],"metrics":["learning_rate"]}""");
        await server.WaitForSubscribersAsync(2);
        var run = Run("run-a");

        await server.PublishAsync(Loss(run, 1), Finding(run), Finding(Run("run-b")), Metric(run, 2, (MetricNames.ValLoss, 0.5)), Metric(run, 3, (MetricNames.LearningRate, 0.01)));

        var viaQuery = await ReceiveEventsUntilOffsetAsync(byQuery, 4, cts.Token);
        viaQuery.Select(m => (m.GetProperty("message_type").GetString(), m.GetProperty("offset").GetInt64())).Should().Equal(("finding", 2L), ("finding", 3L), ("metrics_update", 4L));
        var viaSubscribe = await ReceiveEventsUntilOffsetAsync(bySubscribe, 5, cts.Token);
        viaSubscribe.Select(m => (m.GetProperty("message_type").GetString(), m.GetProperty("offset").GetInt64())).Should().Equal(("finding", 2L), ("metrics_update", 5L));
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
        await Poll.UntilAsync(() => server.Bus.GetStatistics().DroppedAtSubscribers > 0, "the stalled client's losses to be counted");
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
        await Poll.UntilAsync(() => server.Bus.GetStatistics().Subscribers == 0, "the WebSocket subscription to end");
    }

    [Fact]
    public async Task HandleAsync_ClientSendsTextThatIsNoProtocolMessage_RepliesErrorAndStreamingContinues()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);

        await client.SendAsync(Encoding.UTF8.GetBytes("""{"hello":"server"}"""), WebSocketMessageType.Text, endOfMessage: true, cts.Token);
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("error").GetString().Should().Be("invalid_message");
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

    [Fact]
    public async Task HandleAsync_PingWithId_RepliesPongWithIdTimestampAndLastOffset()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        await server.PublishAsync(Loss(Run(), 1), Loss(Run(), 2), Loss(Run(), 3));
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

        await SendTextAsync(client, """{"type":"ping","id":"x-1"}""", cts.Token);

        var pong = await client.ReceiveJsonAsync(cts.Token);
        Names(pong).Should().Equal("message_type", "id", "timestamp", "last_offset", "sent_offset");
        pong.GetProperty("message_type").GetString().Should().Be("pong");
        pong.GetProperty("id").GetString().Should().Be("x-1");
        pong.GetProperty("timestamp").GetDouble().Should().BeInRange(before, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        pong.GetProperty("last_offset").GetInt64().Should().Be(3);
        pong.GetProperty("sent_offset").GetInt64().Should().Be(0, "the events were published before this client connected");
    }

    [Fact]
    public async Task HandleAsync_PingWithoutId_RepliesPongWithoutId()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);

        await SendTextAsync(client, """{"type":"ping"}""", cts.Token);

        var pong = await client.ReceiveJsonAsync(cts.Token);
        Names(pong).Should().Equal("message_type", "timestamp", "last_offset", "sent_offset");
        pong.GetProperty("last_offset").GetInt64().Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_PingAfterEventsWereSent_SentOffsetIsTheLastEventSentHere()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        await server.PublishAsync(Loss(Run("run-a"), 1));
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-b"), cts.Token);
        await server.WaitForSubscribersAsync(1);
        await server.PublishAsync(Loss(Run("run-b"), 1), Loss(Run("run-a"), 2));
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64().Should().Be(2);
        await server.WaitForDispatchAsync();

        await SendTextAsync(client, """{"type":"ping"}""", cts.Token);

        var pong = await client.ReceiveJsonAsync(cts.Token);
        pong.GetProperty("last_offset").GetInt64().Should().Be(3);
        pong.GetProperty("sent_offset").GetInt64().Should().Be(2, "offset 3 is run-a's, which this connection does not follow");
    }

    [Fact]
    public async Task HandleAsync_SubscribeToRunWhileReceivingAll_NarrowsToThatRun()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        var a = Run("run-a");
        var b = Run("run-b");

        await SendTextAsync(client, """{"type":"subscribe","runs":["run-b"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["run-b"],"metrics":["*"]}""");
        await server.PublishAsync(Loss(a, 1), Loss(b, 1), EpochCompleted(a, 1, 1), Loss(a, 2), Loss(b, 2));

        var received = await ReceiveEventsUntilOffsetAsync(client, 5, cts.Token);
        received.Select(m => m.GetProperty("run_id").GetString()).Should().Equal("run-b", "run-b");
        received.Select(m => m.GetProperty("offset").GetInt64()).Should().Equal(2, 5);
    }

    [Fact]
    public async Task HandleAsync_SubscribeToMetrics_FiltersMetricUpdatesButTrainingEventsArrive()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        var run = Run("run-a");

        await SendTextAsync(client, """{"type":"subscribe","metrics":["val_loss","learning_rate"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["*"],"metrics":["learning_rate","val_loss"]}""");
        await server.PublishAsync(
            Loss(run, 1),
            Metric(run, 2, (MetricNames.ValLoss, 0.5)),
            EpochCompleted(run, 1, 2),
            Metric(run, 3, (MetricNames.TrainLoss, 0.4)),
            Metric(run, 4, (MetricNames.TrainLoss, 0.3), (MetricNames.LearningRate, 0.01)));

        var received = await ReceiveEventsUntilOffsetAsync(client, 5, cts.Token);
        received.Select(m => m.GetProperty("offset").GetInt64()).Should().Equal(2, 3, 5);
        received.Select(m => m.GetProperty("message_type").GetString()).Should().Equal("metrics_update", "training_event", "metrics_update");
    }

    [Fact]
    public async Task HandleAsync_NamesQuery_IsTheInitialMetricFilter()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-a&names=val_loss"), cts.Token);
        var run = Run("run-a");

        await SendTextAsync(client, """{"type":"subscribe","metrics":["train_loss"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["run-a"],"metrics":["train_loss","val_loss"]}""");
        await server.PublishAsync(Metric(run, 1, ("gradient_norm", 1)), Loss(run, 2), Loss(Run("run-b"), 1), Metric(run, 3, (MetricNames.ValLoss, 0.5)));

        (await ReceiveEventsUntilOffsetAsync(client, 4, cts.Token)).Select(m => m.GetProperty("offset").GetInt64()).Should().Equal(2, 4);
    }

    [Fact]
    public async Task HandleAsync_UnsubscribeFromRun_StopsItsEvents()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-a"), cts.Token);

        await SendTextAsync(client, """{"type":"subscribe","runs":["run-b"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["run-a","run-b"],"metrics":["*"]}""");
        await SendTextAsync(client, """{"type":"unsubscribe","runs":["run-a"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["run-b"],"metrics":["*"]}""");
        await server.PublishAsync(Loss(Run("run-a"), 1), Loss(Run("run-b"), 1), Loss(Run("run-a"), 2), Loss(Run("run-b"), 2));

        var received = await ReceiveEventsUntilOffsetAsync(client, 4, cts.Token);
        received.Select(m => m.GetProperty("offset").GetInt64()).Should().Equal(2, 4);
    }

    [Fact]
    public async Task HandleAsync_UnsubscribeFromEverything_ReceivesNothingUntilSubscribedAgain()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);

        await SendTextAsync(client, """{"type":"unsubscribe","runs":["*"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":[],"metrics":["*"]}""");
        await server.PublishAsync(Loss(Run("run-a"), 1), EpochCompleted(Run("run-b"), 1, 1));
        await SendTextAsync(client, """{"type":"subscribe","runs":["run-b"]}""", cts.Token);
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("message_type").GetString().Should().Be("subscribed", "nothing was sent while unsubscribed");
        await server.PublishAsync(Loss(Run("run-a"), 2), Loss(Run("run-b"), 2));

        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64().Should().Be(4);
    }

    [Fact]
    public async Task HandleAsync_SubscribeToStar_RestoresEverything()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-a&names=val_loss"), cts.Token);

        await SendTextAsync(client, """{"type":"subscribe","runs":["*"],"metrics":["*"]}""", cts.Token);
        (await client.ReceiveAsync(cts.Token)).Text.Should().Be("""{"message_type":"subscribed","runs":["*"],"metrics":["*"]}""");
        await server.PublishAsync(Loss(Run("run-b"), 1), Loss(Run("run-a"), 1));

        var received = await ReceiveEventsUntilOffsetAsync(client, 2, cts.Token);
        received.Select(m => m.GetProperty("offset").GetInt64()).Should().Equal(1, 2);
    }

    [Fact]
    public async Task HandleAsync_UnsubscribeFromListWhileReceivingAll_RepliesInvalidUnsubscribeAndKeepsTheFilter()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);

        await SendTextAsync(client, """{"type":"unsubscribe","runs":["run-a"]}""", cts.Token);

        var error = await client.ReceiveJsonAsync(cts.Token);
        Names(error).Should().Equal("message_type", "error", "detail");
        error.GetProperty("message_type").GetString().Should().Be("error");
        error.GetProperty("error").GetString().Should().Be("invalid_unsubscribe");
        error.GetProperty("detail").GetString().Should().Contain("all runs");
        await server.PublishAsync(Loss(Run("run-a"), 1));
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("run_id").GetString().Should().Be("run-a");
    }

    public static TheoryData<string, string> InvalidClientMessages => new()
    {
        { "{not json", "invalid_message" },
        { "[]", "invalid_message" },
        { "null", "invalid_message" },
        { "\"ping\"", "invalid_message" },
        { """{"type":"ping"} trailing""", "invalid_message" },
        { "{}", "invalid_message" },
        { """{"type":""}""", "invalid_message" },
        { """{"type":null,"id":"a"}""", "invalid_message" },
        { """{"type":"ping","extra":1}""", "invalid_message" },
        { """{"type":"ping","id":5}""", "invalid_message" },
        { $$"""{"type":"ping","id":"{{new string('i', 129)}}"}""", "invalid_message" },
        { """{"type":"subscribe"}""", "invalid_message" },
        { """{"type":"subscribe","runs":["bad id"]}""", "invalid_message" },
        { """{"type":"subscribe","runs":[""]}""", "invalid_message" },
        { """{"type":"subscribe","runs":"run-a"}""", "invalid_message" },
        { """{"type":"subscribe","metrics":[""]}""", "invalid_message" },
        { $$"""{"type":"subscribe","metrics":["{{new string('m', 129)}}"]}""", "invalid_message" },
        { $$"""{"type":"subscribe","metrics":[{{string.Join(',', Enumerable.Range(0, 257).Select(i => $"\"m{i}\""))}}]}""", "invalid_message" },
        { """{"type":"unsubscribe","runs":["bad/id"]}""", "invalid_message" },
        { """{"type":"dance"}""", "unknown_type" },
        { """{"type":"PING"}""", "unknown_type" },
    };

    [Theory]
    [MemberData(nameof(InvalidClientMessages))]
    public async Task HandleAsync_InvalidClientMessage_RepliesErrorAndConnectionKeepsWorkingUnchanged(string message, string error)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-a"), cts.Token);

        await SendTextAsync(client, message, cts.Token);

        var reply = await client.ReceiveJsonAsync(cts.Token);
        Names(reply).Should().Equal("message_type", "error", "detail");
        reply.GetProperty("message_type").GetString().Should().Be("error");
        reply.GetProperty("error").GetString().Should().Be(error);
        reply.GetProperty("detail").GetString().Should().NotBeNullOrEmpty();
        await ShouldStillWorkWithRunFilterAsync(server, client, cts.Token);
    }

    [Fact]
    public async Task HandleAsync_BinaryFrame_RepliesInvalidMessageAndConnectionKeepsWorking()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?run=run-a"), cts.Token);

        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"ping"}"""), WebSocketMessageType.Binary, endOfMessage: true, cts.Token);

        var reply = await client.ReceiveJsonAsync(cts.Token);
        reply.GetProperty("message_type").GetString().Should().Be("error");
        reply.GetProperty("error").GetString().Should().Be("invalid_message");
        await ShouldStillWorkWithRunFilterAsync(server, client, cts.Token);
    }

    [Fact]
    public async Task HandleAsync_FragmentedTextMessage_IsReassembledAndAnswered()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);

        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"pi"""), WebSocketMessageType.Text, endOfMessage: false, cts.Token);
        await client.SendAsync(Encoding.UTF8.GetBytes("""ng","id":"frag"}"""), WebSocketMessageType.Text, endOfMessage: true, cts.Token);

        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("id").GetString().Should().Be("frag");
    }

    [Fact]
    public async Task HandleAsync_ManyPingsWhileEventsStream_EveryMessageIsWholeAndNothingIsLostOrReordered()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.ClientQueueCapacity = 1_000_000);
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);
        const int Events = 5_000;
        const int Pings = 500;
        var run = Run("run-a");
        var padding = Enumerable.Range(0, 20).Select(i => ($"extra_metric_{i:D2}", i * 0.1)).ToArray();

        var publishing = Task.Run(() =>
        {
            for (var step = 1; step <= Events; step++)
            {
                server.Bus.TryPublish(Metric(run, step, padding)).Should().BeTrue();
            }
        });
        var pinging = Task.Run(async () =>
        {
            for (var i = 0; i < Pings; i++)
            {
                await SendTextAsync(client, $$"""{"type":"ping","id":"p{{i}}"}""", cts.Token);
            }
        });

        var offsets = new List<long>();
        var pongs = new List<(string Id, long LastOffset)>();
        while (offsets.Count < Events || pongs.Count < Pings)
        {
            // Parsing each message whole proves that no reply was spliced into an event or the other way round.
            var message = await client.ReceiveJsonAsync(cts.Token);
            switch (message.GetProperty("message_type").GetString())
            {
                case "metrics_update":
                    message.GetProperty("data").GetProperty("advanced_metrics").EnumerateObject().Should().HaveCount(20);
                    offsets.Add(message.GetProperty("offset").GetInt64());
                    break;
                case "pong":
                    pongs.Add((message.GetProperty("id").GetString()!, message.GetProperty("last_offset").GetInt64()));
                    break;
                default:
                    throw new InvalidOperationException($"Unexpected message {message}.");
            }
        }

        await Task.WhenAll(publishing, pinging).WaitAsync(cts.Token);
        offsets.Should().Equal(Enumerable.Range(1, Events).Select(i => (long)i));
        pongs.Select(p => p.Id).Should().Equal(Enumerable.Range(0, Pings).Select(i => $"p{i}"), "replies keep the order of the requests");
        pongs.Select(p => p.LastOffset).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task HandleAsync_FilterChangesWhileEventsStream_NoEventAfterAReplyMissesTheFilterItStates()
    {
        // A "subscribed" reply is a promise: every event after it matches the filter it states. (Events of a run being
        // subscribed to may come just before its reply: the server applies a message before answering it.)
        await using var server = await StreamingTestServer.StartAsync(o => o.ClientQueueCapacity = 1_000_000);
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await SendTextAsync(client, """{"type":"unsubscribe","runs":["*"]}""", cts.Token);
        (await client.ReceiveJsonAsync(cts.Token)).GetProperty("runs").GetArrayLength().Should().Be(0);
        var runs = new[] { Run("run-a"), Run("run-b") };
        using var stop = new CancellationTokenSource();
        var publishing = Task.Run(async () =>
        {
            for (var step = 1L; !stop.IsCancellationRequested; step++)
            {
                server.Bus.TryPublish(Loss(runs[step % 2], step));
                if (step % 16 == 0)
                {
                    await Task.Delay(1);
                }
            }
        });

        const int Switches = 200;
        var violations = new List<string>();
        string? confirmed = null;
        string? requested = null; // Set before a subscribe is sent; its events may precede its reply.
        var replies = 0;
        var receiving = Task.Run(async () =>
        {
            while (Volatile.Read(ref replies) < Switches)
            {
                var message = await client.ReceiveJsonAsync(cts.Token);
                switch (message.GetProperty("message_type").GetString())
                {
                    case "subscribed":
                        var listed = message.GetProperty("runs").EnumerateArray().Select(r => r.GetString()).ToList();
                        confirmed = listed.Count == 1 ? listed[0] : null;
                        if (confirmed is not null)
                        {
                            Volatile.Write(ref requested, null);
                        }

                        Interlocked.Increment(ref replies);
                        break;
                    case "metrics_update":
                        var run = message.GetProperty("run_id").GetString();
                        if (run != confirmed && run != Volatile.Read(ref requested))
                        {
                            violations.Add($"{run} at offset {message.GetProperty("offset")} after the reply for {confirmed ?? "no run"}");
                        }

                        break;
                }
            }
        });

        for (var i = 0; i < Switches / 2; i++)
        {
            var run = runs[i % 2].Id;
            Volatile.Write(ref requested, run);
            await SendTextAsync(client, $$"""{"type":"subscribe","runs":["{{run}}"]}""", cts.Token);
            await SendTextAsync(client, $$"""{"type":"unsubscribe","runs":["{{run}}"]}""", cts.Token);
            await Poll.UntilAsync(() => Volatile.Read(ref replies) >= 2 * (i + 1), "the replies");
        }

        await receiving.WaitAsync(cts.Token);
        await stop.CancelAsync();
        await publishing.WaitAsync(cts.Token);
        violations.Should().BeEmpty();
    }

    public static TheoryData<string> InvalidNamesQueries => new()
    {
        "?names=",
        "?names=%20,",
        "?names=" + new string('n', 129),
        "?names=" + string.Join(',', Enumerable.Range(0, 257).Select(i => $"m{i}")),
    };

    [Theory]
    [MemberData(nameof(InvalidNamesQueries))]
    public async Task HandleAsync_UpgradeWithInvalidNames_Returns400ProblemAndDoesNotSubscribe(string query)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, SocketPath + query);
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));

        using var response = await server.Client.SendAsync(request);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        server.Bus.GetStatistics().Subscribers.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_AfterOlderThanRingAndStore_SendsGapMessageThenStoredAndRingEvents()
    {
        // The store keeps the newest 20 events, the ring the newest 8: after 50 events, 6..30 are held by neither.
        await using var server = await OutageServers.SmallRingAndStoreAsync(ring: 8, store: 20);
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync([.. Enumerable.Range(1, 50).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();

        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?after=5"), cts.Token);

        var gap = await client.ReceiveJsonAsync(cts.Token);
        Names(gap).Should().Equal("message_type", "timestamp", "run_id", "data");
        gap.GetProperty("message_type").GetString().Should().Be("gap");
        gap.GetProperty("run_id").GetString().Should().Be("run-a");
        gap.GetProperty("data").GetRawText().Should().Be("""{"missed":25,"first_offset":6,"last_offset":30}""");
        var coverage = new StreamCoverage(30);
        while (coverage.Covered < 50)
        {
            coverage.Add(await client.ReceiveJsonAsync(cts.Token), "message_type");
        }

        coverage.Gaps.Should().BeEmpty();
    }

    [Fact]
    public async Task HandleAsync_GapOfARunTheConnectionDoesNotFollow_IsSentAnyway()
    {
        // The client cannot tell which of the lost events it would have wanted, so gaps pass every connection filter.
        await using var server = await StreamingTestServer.StartAsync(
            configureBus: o => o.HistoryCapacity = 8,
            configureServices: services => services.AddSingleton<IMetricStore>(new InMemoryMetricStore(maxEvents: 1)));
        using var cts = Eventually.Timeout();
        await server.PublishAsync([.. Enumerable.Range(1, 50).Select(i => Loss(Run("run-a"), i))]);
        await server.WaitForStoreAsync();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?after=5&run=run-b"), cts.Token);

        var gap = await client.ReceiveJsonAsync(cts.Token);
        await server.PublishAsync(Loss(Run("run-b"), 1));

        gap.GetProperty("message_type").GetString().Should().Be("gap");
        gap.GetProperty("data").GetRawText().Should().Be("""{"missed":37,"first_offset":6,"last_offset":42}""");
        var next = await client.ReceiveJsonAsync(cts.Token);
        next.GetProperty("run_id").GetString().Should().Be("run-b", "run-a's replayed events are filtered out");
        next.GetProperty("offset").GetInt64().Should().Be(51);
    }

    [Fact]
    public async Task HandleAsync_DashboardReconnectsAfterOutage_MissedEventsBeyondRing_GetsEveryEventFromStoreAndRingInOrder()
    {
        await using var server = await OutageServers.RingTooSmallAsync();

        var coverage = await DashboardReconnectsAfterOutageAsync(server);

        coverage.Gaps.Should().BeEmpty("the store holds every event the ring no longer does");
    }

    [Fact]
    public async Task HandleAsync_DashboardReconnectsAfterOutage_StoreLacksOldestMissedEvents_GetsGapThenEveryLaterEventInOrder()
    {
        await using var server = await OutageServers.StoreTooSmallAsync();

        var coverage = await DashboardReconnectsAfterOutageAsync(server);

        coverage.Gaps.Should().NotBeEmpty();
        coverage.Gaps.Sum(g => g.Missed).Should().BeLessThan(10_000, "the store and the ring still hold the newest missed events");
    }

    /// <summary>
    /// The issue's "done when" over WebSocket: a dashboard reads live events, loses the network while the trainer keeps
    /// publishing (10,000 events, about 3 s), reconnects with ?after= and must get every missed event, or an explicit gap,
    /// in order and without duplicates, then the live stream.
    /// </summary>
    private static async Task<StreamCoverage> DashboardReconnectsAfterOutageAsync(StreamingTestServer server, int outageEvents = 10_000)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await using var publisher = PacedPublisher.Start(server.Bus, Run("run-a"));

        var before = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        var seen = new List<long>();
        while (seen.Count < 100)
        {
            seen.Add((await before.ReceiveJsonAsync(cts.Token)).GetProperty("offset").GetInt64());
        }

        seen.Should().Equal(Enumerable.Range((int)seen[0], 100).Select(i => (long)i));
        before.Abort(); // The network goes away: no close handshake.
        before.Dispose();

        var lastSeen = seen[^1];
        await Poll.UntilAsync(
            () => server.Bus.GetStatistics().LastOffset >= lastSeen + outageEvents, "the trainer to publish through the outage", TimeSpan.FromSeconds(60));

        using var after = await WebSocketReader.ConnectAsync(server.WebSocketUri($"{SocketPath}?after={lastSeen}"), cts.Token);
        var reconnectedAt = server.Bus.GetStatistics().LastOffset;
        var coverage = new StreamCoverage(lastSeen);
        while (coverage.Covered < reconnectedAt + 500)
        {
            coverage.Add(await after.ReceiveJsonAsync(cts.Token), "message_type");
        }

        await publisher.StopAsync();
        await server.WaitForDispatchAsync();
        var lastOffset = server.Bus.GetStatistics().LastOffset;
        while (coverage.Covered < lastOffset)
        {
            coverage.Add(await after.ReceiveJsonAsync(cts.Token), "message_type");
        }

        coverage.Events.Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        coverage.Events.Should().Contain(Enumerable.Range((int)(reconnectedAt - 999), 1_000).Select(i => (long)i), "what the ring held at reconnection is never lost");
        coverage.Events[^1].Should().Be(lastOffset);
        return coverage;
    }

    private static async Task ShouldStillWorkWithRunFilterAsync(StreamingTestServer server, ClientWebSocket client, CancellationToken cancellationToken)
    {
        client.State.Should().Be(WebSocketState.Open);
        await SendTextAsync(client, """{"type":"ping","id":"still-there"}""", cancellationToken);
        (await client.ReceiveJsonAsync(cancellationToken)).GetProperty("id").GetString().Should().Be("still-there");
        var first = server.Bus.GetStatistics().LastOffset;
        await server.PublishAsync(Loss(Run("run-b"), 1), Loss(Run("run-a"), 1));
        var json = await client.ReceiveJsonAsync(cancellationToken);
        json.GetProperty("offset").GetInt64().Should().Be(first + 2, "the connection's filter (run-a only) is unchanged");
    }

    /// <summary>Receives messages up to the event with <paramref name="offset"/>; returns the events, failing on anything else.</summary>
    private static async Task<List<JsonElement>> ReceiveEventsUntilOffsetAsync(ClientWebSocket client, long offset, CancellationToken cancellationToken)
    {
        var events = new List<JsonElement>();
        while (true)
        {
            var message = await client.ReceiveJsonAsync(cancellationToken);
            message.TryGetProperty("offset", out var current).Should().BeTrue($"only events were expected, not {message}");
            events.Add(message);
            current.GetInt64().Should().BeLessThanOrEqualTo(offset);
            if (current.GetInt64() == offset)
            {
                return events;
            }
        }
    }

    private static Task SendTextAsync(ClientWebSocket client, string text, CancellationToken cancellationToken) =>
        client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
