using System.Net.WebSockets;
using System.Text;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Streaming.Tests.Infrastructure;
using TrainInsight.Streaming.Tests.Rest;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Sse;

/// <summary>Proposal and assistant_analysis events on both transports, live and replayed from the store.</summary>
public sealed class ProposalStreamTests
{
    private const string StreamPath = "api/stream/metrics";
    private const string SocketPath = "ws/metrics";

    [Fact]
    public async Task Sse_CreateAndApproveOverHttp_StreamsEachRevisionAsTheDocumentTheRestEndpointServes()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;
        using var cts = Eventually.Timeout();
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath + "?run=run-a", cts.Token), cts.Token);

        var id = await ProposalEndpointsTests.CreateAsync(server, "run-a", "pause");
        using var approved = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", """{"actor":"gina"}""");
        var items = await sse.NextAsync(2);

        items.Select(i => i.EventType).Should().Equal("proposal", "proposal");
        var events = items.Select(i => i.Json()).ToList();
        events.Select(e => e.GetProperty("event_type").GetString()).Should().Equal("proposal", "proposal");
        events.Select(e => e.GetProperty("offset").GetInt64()).Should().Equal(items.Select(i => i.Id()));
        events.Select(e => e.GetProperty("data").GetProperty("state").GetString()).Should().Equal("pending", "approved");
        var history = (await ResponseAssertions.ReadJsonAsync(await server.Client.GetAsync($"api/proposals/{id}"))).GetProperty("history");
        events.Select(e => e.GetProperty("data").GetRawText()).Should().Equal(history.EnumerateArray().Select(h => h.GetRawText()),
            "a revision's stream data is the document of GET /api/proposals/{id}");
    }

    [Fact]
    public async Task Sse_NamesFilter_ProposalsAndAnalysesStillArrive()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath + "?names=val_loss", cts.Token), cts.Token);
        var run = Run("run-a");

        await server.PublishAsync(Loss(run, 1), PendingProposal(run), Analysis(run), Metric(run, 2, (MetricNames.ValLoss, 0.5)));

        (await sse.NextAsync(3)).Select(i => (i.EventType, i.Id())).Should().Equal(("proposal", 2L), ("assistant_analysis", 3L), ("metrics_update", 4L));
    }

    [Fact]
    public async Task Sse_ResumeOlderThanRing_ReplaysProposalRevisionsAndAnalysesFromTheStore()
    {
        await using var server = await StreamingTestServer.StartAsync(configureBus: o =>
        {
            o.HistoryCapacity = 4;
            o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
        });
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        var pending = PendingProposal(run, "prop_0123456789abcdef0123456789abcdef");
        var measured = MeasuredProposal(run);
        var analysis = Analysis(run);
        await server.PublishAsync([pending, .. Enumerable.Range(1, 10).Select(i => Loss(run, i)), measured, analysis, .. Enumerable.Range(11, 10).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();
        server.Bus.GetHistory().Should().NotContain(e => e is ProposalEvent || e is AssistantAnalysisEvent, "the ring holds only the newest events");

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token, lastEventId: "0"), cts.Token);

        var items = await sse.NextAsync(23);
        items.Select(i => i.Id()).Should().Equal(Enumerable.Range(1, 23).Select(i => (long)i));
        var replayed = items.Where(i => i.EventType is "proposal" or "assistant_analysis").ToList();
        replayed.Select(i => (i.EventType, i.Id())).Should().Equal(("proposal", pending.Offset), ("proposal", measured.Offset), ("assistant_analysis", analysis.Offset));
        replayed.Select(i => i.Data).Should().Equal(new TrainInsightEvent[] { pending, measured, analysis }.Select(e => Encoding.UTF8.GetString(WireFormat.SerializeSse(e))));
    }

    [Fact]
    public async Task WebSocket_ProposalAndAnalysis_SendTheirMessageTypesWithTheSameData()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath), cts.Token);
        await server.WaitForSubscribersAsync(1);
        var run = Run("run-a");
        var measured = MeasuredProposal(run);
        var analysis = Analysis(run);

        await server.PublishAsync(measured, analysis);

        var first = await client.ReceiveAsync(cts.Token);
        var second = await client.ReceiveAsync(cts.Token);
        first.Type.Should().Be(WebSocketMessageType.Text);
        first.Text.Should().Be("""{"message_type":"proposal","timestamp":1767225600.25,"run_id":"run-a","sequence":1,"offset":1,"data":""" + Serialization.ProposalWireFormatTests.MeasuredProposalData + "}");
        second.Text.Should().StartWith("""{"message_type":"assistant_analysis","timestamp":1767225600.25,"run_id":"run-a","sequence":2,"offset":2,"data":{"trigger":"finding",""");
    }

    [Fact]
    public async Task WebSocket_AfterQueryOlderThanRing_ReplaysTheProposalFromTheStore()
    {
        await using var server = await StreamingTestServer.StartAsync(configureBus: o =>
        {
            o.HistoryCapacity = 4;
            o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
        });
        using var cts = Eventually.Timeout();
        var run = Run("run-b");
        var pending = PendingProposal(run);
        await server.PublishAsync([pending, .. Enumerable.Range(1, 10).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();
        server.Bus.GetHistory().Should().NotContain(e => e is ProposalEvent);

        using var client = await WebSocketReader.ConnectAsync(server.WebSocketUri(SocketPath + "?after=0&run=run-b"), cts.Token);

        var (_, text) = await client.ReceiveAsync(cts.Token);
        text.Should().Be(Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(pending)));
        text.Should().StartWith("""{"message_type":"proposal",""");
        for (var i = 0; i < 10; i++)
        {
            (await client.ReceiveJsonAsync(cts.Token)).GetProperty("message_type").GetString().Should().Be("metrics_update");
        }
    }
}
