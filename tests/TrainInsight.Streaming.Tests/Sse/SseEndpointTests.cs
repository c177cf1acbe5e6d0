using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Sse;

public sealed class SseEndpointTests
{
    private const string StreamPath = "api/stream/metrics";

    [Fact]
    public async Task HandleAsync_Connect_RespondsWithEventStreamHeaders()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();

        using var response = await server.OpenSseAsync(StreamPath, cts.Token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
        response.Headers.CacheControl.NoStore.Should().BeTrue();
        response.Headers.GetValues("X-Accel-Buffering").Should().Equal("no");
    }

    [Fact]
    public async Task HandleAsync_MetricEvent_WritesExactSseFrame()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var response = await server.OpenSseAsync(StreamPath, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_250);
        var metric = new MetricEvent(Run("run-a"), 7, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.5 }, timestamp) { Epoch = 1, Batch = 7 };
        await server.PublishAsync(metric);

        (await reader.ReadLineAsync(cts.Token)).Should().Be(": traininsight stream");
        (await reader.ReadLineAsync(cts.Token)).Should().BeEmpty();
        var frame = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            line.Should().NotBeNull("the stream must stay open");
            if (line!.StartsWith(':'))
            {
                continue; // A heartbeat may come before the event.
            }

            if (line.Length == 0)
            {
                break;
            }

            frame.Add(line);
        }

        frame.Should().Equal(
            "event: metrics_update",
            """data: {"timestamp":1767225600.25,"event_type":"metrics_update","run_id":"run-a","sequence":1,"offset":1,"data":{"step":7,"epoch":1,"batch":7,"train_loss":0.5}}""",
            "id: 1");
    }

    [Fact]
    public async Task HandleAsync_MetricEvent_IdIsOffsetAndDataHasEnvelopeAndExactMetricFields()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), Loss(run, 2));
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);

        var metric = new MetricEvent(run, 3, new Dictionary<string, double>
        {
            [MetricNames.TrainLoss] = 0.25,
            [MetricNames.TrainAccuracy] = 0.875,
            [MetricNames.LearningRate] = 0.001,
            [MetricNames.GradientNorm] = 1.5,
        })
        { Epoch = 2, Batch = 1 };
        await server.PublishAsync(metric);

        var item = await sse.NextAsync();
        item.EventType.Should().Be("metrics_update");
        item.EventId.Should().Be(metric.Offset.ToString(CultureInfo.InvariantCulture)).And.Be("3");
        var json = item.Json();
        json.EnumerateObject().Select(p => p.Name).Should().Equal("timestamp", "event_type", "run_id", "sequence", "offset", "data");
        json.GetProperty("timestamp").GetDouble().Should().Be(metric.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        json.GetProperty("event_type").GetString().Should().Be("metrics_update");
        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.GetProperty("sequence").GetInt64().Should().Be(3);
        json.GetProperty("offset").GetInt64().Should().Be(3);
        var data = json.GetProperty("data");
        data.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(
            "step", "epoch", "batch", "train_loss", "train_accuracy", "learning_rate", "advanced_metrics");
        data.GetProperty("step").GetInt64().Should().Be(3);
        data.GetProperty("epoch").GetInt32().Should().Be(2);
        data.GetProperty("batch").GetInt32().Should().Be(1);
        data.GetProperty("train_loss").GetDouble().Should().Be(0.25);
        data.GetProperty("train_accuracy").GetDouble().Should().Be(0.875);
        data.GetProperty("learning_rate").GetDouble().Should().Be(0.001);
        data.GetProperty("advanced_metrics").GetProperty("gradient_norm").GetDouble().Should().Be(1.5);
    }

    [Fact]
    public async Task HandleAsync_TrainingEvent_UsesTrainingEventTypeAndEventKind()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);

        var epoch = EpochCompleted(Run("run-a"), 1, 100, (MetricNames.ValLoss, 0.4), (MetricNames.BestAccuracy, 0.9));
        await server.PublishAsync(epoch);

        var item = await sse.NextAsync();
        item.EventType.Should().Be("training_event");
        item.Id().Should().Be(epoch.Offset);
        var json = item.Json();
        json.EnumerateObject().Select(p => p.Name).Should().Equal("timestamp", "event_type", "event", "run_id", "sequence", "offset", "data");
        json.GetProperty("event_type").GetString().Should().Be("training_event");
        json.GetProperty("event").GetString().Should().Be("epoch_completed");
        var data = json.GetProperty("data");
        data.GetProperty("epoch").GetInt32().Should().Be(1);
        data.GetProperty("step").GetInt64().Should().Be(100);
        data.GetProperty("metrics").GetProperty("val_loss").GetDouble().Should().Be(0.4);
        data.GetProperty("best_accuracy").GetDouble().Should().Be(0.9);
        data.GetProperty("model_state").GetString().Should().Be("training");
        data.GetProperty("checkpoint_saved").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task HandleAsync_EventsPublishedWhileConnected_ArriveLiveInOrder()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);

        for (var step = 1; step <= 5; step++)
        {
            // One at a time: each event must arrive before the next is even published.
            server.Bus.TryPublish(Loss(run, step)).Should().BeTrue();
            var item = await sse.NextAsync();
            item.Id().Should().Be(step);
            item.Json().GetProperty("data").GetProperty("step").GetInt64().Should().Be(step);
        }
    }

    [Fact]
    public async Task HandleAsync_NoLastEventId_SkipsHistory()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), Loss(run, 2));
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);

        await server.PublishAsync(Loss(run, 3));

        (await sse.NextAsync()).Id().Should().Be(3);
    }

    [Fact]
    public async Task HandleAsync_AfterZero_ReplaysWholeHistoryThenLive()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), Loss(run, 2));
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath + "?after=0", cts.Token), cts.Token);

        await server.PublishAsync(Loss(run, 3));

        (await sse.NextAsync(3)).Select(i => i.Id()).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task HandleAsync_IdleStream_SendsHeartbeatComments()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(100));
        using var cts = Eventually.Timeout();
        using var response = await server.OpenSseAsync(StreamPath, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        var heartbeats = 0;
        var lines = new List<string>();
        while (heartbeats < 2)
        {
            var line = await reader.ReadLineAsync(cts.Token);
            line.Should().NotBeNull("the idle stream must stay open");
            lines.Add(line!);
            if (line == ": heartbeat")
            {
                heartbeats++;
            }
        }

        // Nothing but the greeting, heartbeats and the blank lines that end them.
        lines.Should().OnlyContain(l => l == ": traininsight stream" || l == ": heartbeat" || l.Length == 0);
    }

    [Fact]
    public async Task HandleAsync_ResumeWithLastEventIdHeader_UnionIsContiguousWithoutDuplicates()
    {
        await ResumeWhilePublishingAsync((server, lastId, ct) => server.OpenSseAsync(StreamPath, ct, lastEventId: lastId));
    }

    [Fact]
    public async Task HandleAsync_ResumeWithLastEventIdQuery_UnionIsContiguousWithoutDuplicates()
    {
        await ResumeWhilePublishingAsync((server, lastId, ct) => server.OpenSseAsync($"{StreamPath}?lastEventId={lastId}", ct));
    }

    [Fact]
    public async Task HandleAsync_ResumeWithAfterQuery_UnionIsContiguousWithoutDuplicates()
    {
        await ResumeWhilePublishingAsync((server, lastId, ct) => server.OpenSseAsync($"{StreamPath}?after={lastId}", ct));
    }

    [Fact]
    public async Task HandleAsync_ResumesWhileDispatcherIsBusy_EachConnectionIsContiguousFromItsResumePoint()
    {
        // Resuming must be atomic with dispatching. A noise run keeps the dispatcher busy while the client follows
        // run-a only and reconnects many times, each time from an id a few hundred run-a events back (so the replay
        // is long), reading until it is past the offset that was current once it connected, so that it crosses the
        // seam between replayed and live events. Every connection must deliver the run's sequence numbers
        // contiguously from its resume point: no hole and no duplicate at the seam.
        await using var server = await StreamingTestServer.StartAsync(
            o => o.ClientQueueCapacity = 1_000_000,
            o => o.HistoryCapacity = 1_000_000);
        using var cts = Eventually.Timeout();
        var followed = Run("run-a");
        var noise = Run("noise");
        using var stopPublishing = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            // Unpaced noise, at most 800,000 events: with the followed ones, everything stays inside the history ring.
            var i = 1;
            for (; i <= 800_000 && !stopPublishing.IsCancellationRequested; i++)
            {
                server.Bus.TryPublish(new MetricEvent(noise, i, null)).Should().BeTrue();
                if (i % 100 == 0)
                {
                    server.Bus.TryPublish(Loss(followed, i / 100)).Should().BeTrue();
                    await Task.Yield();
                }
            }

            // One last run-a event after every seam a connection can have seen, so that a connection opened just as the
            // noise ran out still gets past its seam instead of waiting for an event that would never come.
            server.Bus.TryPublish(Loss(followed, (i / 100) + 1)).Should().BeTrue();
        });

        var offsets = new List<long>(); // offsets[n - 1] is the offset of the run's event with sequence n
        var connections = 0;
        while (connections < 60 && !publisher.IsCompleted)
        {
            connections++;
            var resumeSequence = Math.Max(0, offsets.Count - 300);
            var resumeId = resumeSequence == 0 ? 0 : offsets[resumeSequence - 1];
            await using var sse = await SseReader.OpenAsync(
                await server.OpenSseAsync($"{StreamPath}?run={followed.Id}", cts.Token, lastEventId: resumeId.ToString(CultureInfo.InvariantCulture)), cts.Token);
            var seam = server.Bus.GetStatistics().LastOffset;
            var expected = resumeSequence + 1L;
            long id;
            do
            {
                var item = await sse.NextAsync();
                id = item.Id();
                var sequence = item.Json().GetProperty("sequence").GetInt64();
                sequence.Should().Be(expected, "connection {0} resumed after sequence {1} (offset {2}) and must continue without holes or duplicates", connections, resumeSequence, resumeId);
                if (sequence > offsets.Count)
                {
                    offsets.Add(id);
                }
                else
                {
                    offsets[(int)sequence - 1].Should().Be(id, "a replayed event keeps its offset");
                }

                expected++;
            }
            while (id <= seam);
        }

        await stopPublishing.CancelAsync();
        await publisher.WaitAsync(cts.Token);
        connections.Should().BeGreaterThan(1);
        offsets.Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        server.Bus.GetStatistics().DroppedAtSubscribers.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_LastEventIdHeaderAndQuery_HeaderWins()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), Loss(run, 2), Loss(run, 3));

        await using var sse = await SseReader.OpenAsync(
            await server.OpenSseAsync($"{StreamPath}?lastEventId=0", cts.Token, lastEventId: "2"), cts.Token);

        (await sse.NextAsync()).Id().Should().Be(3);
    }

    [Fact]
    public async Task HandleAsync_RunFilter_SendsOnlyThatRunsEvents()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var a = Run("run-a");
        var b = Run("run-b");
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"{StreamPath}?run=run-b", cts.Token), cts.Token);

        await server.PublishAsync(Loss(a, 1), Loss(b, 1), Loss(a, 2), EpochCompleted(b, 1, 1), Loss(b, 2));

        var items = await sse.NextAsync(3);
        items.Select(i => i.Json().GetProperty("run_id").GetString()).Should().OnlyContain(id => id == "run-b");
        items.Select(i => i.Id()).Should().Equal(2, 4, 5);
        items.Select(i => i.Json().GetProperty("sequence").GetInt64()).Should().Equal(1, 2, 3);
        items.Select(i => i.EventType).Should().Equal("metrics_update", "training_event", "metrics_update");
    }

    [Fact]
    public async Task HandleAsync_RunFilterWithResume_ReplaysOnlyThatRun()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var a = Run("run-a");
        var b = Run("run-b");
        await server.PublishAsync(Loss(a, 1), Loss(b, 1), Loss(a, 2), Loss(b, 2));

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"{StreamPath}?run=run-a&after=0", cts.Token), cts.Token);

        (await sse.NextAsync(2)).Select(i => i.Id()).Should().Equal(1, 3);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("99999999999999999999999")]
    public async Task HandleAsync_InvalidLastEventIdHeader_Returns400Problem(string lastEventId)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();

        using var response = await server.OpenSseAsync(StreamPath, cts.Token, lastEventId: lastEventId);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        server.Bus.GetStatistics().Subscribers.Should().Be(0);
    }

    [Theory]
    [InlineData("lastEventId=abc")]
    [InlineData("after=-3")]
    [InlineData("run=bad%20id")]
    [InlineData("run=a/b")]
    public async Task HandleAsync_InvalidQuery_Returns400Problem(string query)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();

        using var response = await server.OpenSseAsync($"{StreamPath}?{query}", cts.Token);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task HandleAsync_ClientDisconnects_Unsubscribes()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);
        await server.WaitForSubscribersAsync(1);

        await sse.DisposeAsync();

        await Poll.UntilAsync(() => server.Bus.GetStatistics().Subscribers == 0, "the SSE subscription to end");
    }

    [Fact]
    public async Task HandleAsync_HostStops_EndsStream()
    {
        // A long shutdown timeout: the stream must end because the host is stopping, not because stopping gave up waiting.
        var server = await StreamingTestServer.StartAsync(shutdownTimeout: TimeSpan.FromMinutes(2));
        using var cts = Eventually.Timeout();
        var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);
        await server.PublishAsync(Loss(Run(), 1));
        (await sse.NextAsync()).Id().Should().Be(1);

        var stopping = server.App.StopAsync(CancellationToken.None);
        var ended = await EndOrFailAsync(sse);

        ended.Should().BeTrue("the server should end open streams when the host stops");
        await stopping.WaitAsync(cts.Token);
        await sse.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task HandleAsync_ClientFallsBehindItsQueue_GetsGapWithoutIdWhereEventsWereLostThenLaterEvents()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.ClientQueueCapacity = 4);
        using var cts = Eventually.Timeout();
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);

        // ~1.5 KB per event, 20,000 events: far more than the socket buffers hold while the client does not read.
        var run = Run("run-a");
        var padding = Enumerable.Range(0, 60).Select(i => ($"extra_metric_{i:D2}", i * 0.123456789)).ToArray();
        for (var step = 1; step <= 20_000; step++)
        {
            server.Bus.TryPublish(Metric(run, step, padding)).Should().BeTrue();
        }

        await server.WaitForDispatchAsync();
        await Poll.UntilAsync(() => server.Bus.GetStatistics().DroppedAtSubscribers > 0, "the stalled client to lose events");
        var coverage = new StreamCoverage(0);
        await FollowAsync(sse, coverage, 20_000);

        coverage.Gaps.Should().NotBeEmpty();
        coverage.Gaps.Sum(g => g.Missed).Should().Be(server.Bus.GetStatistics().DroppedAtSubscribers, "each lost event is reported once");
        coverage.Events.Should().HaveCount(20_000 - (int)coverage.Gaps.Sum(g => g.Missed));
        coverage.Events[^1].Should().Be(20_000, "the newest events are kept");
    }

    [Fact]
    public async Task HandleAsync_ResumeOlderThanRing_ReplaysMissedEventsFromStoreInOrderThenLive()
    {
        await using var server = await StreamingTestServer.StartAsync(configureBus: o =>
        {
            o.HistoryCapacity = 8;
            o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
        });
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync([.. Enumerable.Range(1, 50).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();
        server.Bus.GetHistory().Should().HaveCount(8, "the ring holds only the newest events");

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token, lastEventId: "5"), cts.Token);
        await server.PublishAsync(Loss(run, 51), Loss(run, 52));

        var coverage = new StreamCoverage(5);
        await FollowAsync(sse, coverage, 52);
        coverage.Gaps.Should().BeEmpty();
        coverage.Events.Should().Equal(Enumerable.Range(6, 47).Select(i => (long)i));
    }

    [Fact]
    public async Task HandleAsync_ResumeOlderThanRingAndStore_SendsGapWithoutIdCoveringExactlyTheMissingOffsets()
    {
        // The store keeps the newest 20 events, the ring the newest 8: after 50 events, 6..30 are held by neither.
        await using var server = await OutageServers.SmallRingAndStoreAsync(ring: 8, store: 20);
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync([.. Enumerable.Range(1, 50).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();

        using var response = await server.OpenSseAsync(StreamPath, cts.Token, lastEventId: "5");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        await server.PublishAsync(Loss(run, 51));

        var gapFrame = await ReadFrameAsync(reader, cts.Token);
        gapFrame.Should().HaveCount(2, "a gap has an event type and data but no id line");
        gapFrame[0].Should().Be("event: gap");
        gapFrame[1].Should().StartWith("data: ");
        var gap = JsonDocument.Parse(gapFrame[1]["data: ".Length..]).RootElement;
        gap.GetProperty("event_type").GetString().Should().Be("gap");
        gap.GetProperty("run_id").GetString().Should().Be("run-a");
        var data = gap.GetProperty("data");
        data.GetProperty("first_offset").GetInt64().Should().Be(6);
        data.GetProperty("last_offset").GetInt64().Should().Be(30);
        data.GetProperty("missed").GetInt64().Should().Be(25);

        var ids = new List<string>();
        for (var offset = 31; offset <= 51; offset++)
        {
            var frame = await ReadFrameAsync(reader, cts.Token);
            frame[0].Should().Be("event: metrics_update");
            ids.Add(frame[^1]);
        }

        ids.Should().Equal(Enumerable.Range(31, 21).Select(i => $"id: {i}"));
    }

    [Fact]
    public async Task HandleAsync_ResumeOlderThanRingWithoutAnyStoredEvents_SendsOneGapThenRing()
    {
        await using var server = await StreamingTestServer.StartAsync(
            configureBus: o => o.HistoryCapacity = 8,
            configureServices: services => services.AddSingleton<IMetricStore>(new InMemoryMetricStore(maxEvents: 1)));
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync([.. Enumerable.Range(1, 50).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath + "?after=0", cts.Token), cts.Token);

        var coverage = new StreamCoverage(0);
        await FollowAsync(sse, coverage, 50);
        coverage.Gaps.Should().Equal((1L, 42L, 42L));
        coverage.Events.Should().Equal(Enumerable.Range(43, 8).Select(i => (long)i));
    }

    [Fact]
    public async Task HandleAsync_RunFilterResumeOlderThanRingAndStore_SendsGapBeforeTheOldestStoredEvent()
    {
        // One run only, so offsets and the run's sequences coincide: the store keeps 31..50, the ring 43..50.
        await using var server = await OutageServers.SmallRingAndStoreAsync(ring: 8, store: 20);
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await server.PublishAsync([.. Enumerable.Range(1, 50).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"{StreamPath}?run=run-a", cts.Token, lastEventId: "5"), cts.Token);

        var first = await sse.NextAsync();
        first.EventType.Should().Be("gap", "events 6..30 of the followed run are held by neither the store nor the ring");
        first.Json().GetProperty("data").GetProperty("first_offset").GetInt64().Should().Be(6);
        first.Json().GetProperty("data").GetProperty("last_offset").GetInt64().Should().Be(30);
        (await sse.NextAsync()).Id().Should().Be(31);
    }

    [Fact]
    public async Task HandleAsync_NamesFilter_SendsMetricUpdatesCarryingANamedMetricAndEveryTrainingEvent()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"{StreamPath}?names=val_loss,val_accuracy", cts.Token), cts.Token);

        await server.PublishAsync(
            Loss(run, 1),
            Metric(run, 2, (MetricNames.ValLoss, 0.5)),
            EpochCompleted(run, 1, 2),
            Metric(run, 3, (MetricNames.TrainLoss, 0.4), (MetricNames.ValAccuracy, 0.9)),
            Metric(run, 4, ("VAL_LOSS", 0.3)),
            Metric(run, 5, (MetricNames.ValLoss, 0.2)));

        var items = await sse.NextAsync(4);
        items.Select(i => i.Id()).Should().Equal(2, 3, 4, 6);
        items.Select(i => i.EventType).Should().Equal("metrics_update", "training_event", "metrics_update", "metrics_update");
        items[2].Json().GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(0.4, "a matching event is sent whole");
    }

    [Fact]
    public async Task HandleAsync_FindingEvent_WritesExactSseFrameWithFindingEventType()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var response = await server.OpenSseAsync(StreamPath, cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        await server.PublishAsync(Finding(Run("run-a")));

        var frame = await ReadFrameAsync(reader, cts.Token);
        frame.Should().Equal(
            "event: finding",
            "data: " + """{"timestamp":1767225600.25,"event_type":"finding","run_id":"run-a","sequence":1,"offset":1,"data":""" + Serialization.WireFormatTests.FindingData + "}",
            "id: 1");
    }

    [Fact]
    public async Task HandleAsync_FindingRevisions_ArriveInOrderWithTheSameFindingId()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);

        await server.PublishAsync(Finding(run), Loss(run, 120), Finding(run, revision: 2), Finding(run, state: FindingState.Resolved, revision: 3));

        var items = await sse.NextAsync(4);
        items.Select(i => i.EventType).Should().Equal("finding", "metrics_update", "finding", "finding");
        var findings = items.Where(i => i.EventType == "finding").Select(i => i.Json()).ToList();
        findings.Select(f => f.GetProperty("data").GetProperty("finding_id").GetString()).Distinct().Should().Equal("run-a/learning_rate_too_high/1");
        findings.Select(f => f.GetProperty("data").GetProperty("revision").GetInt32()).Should().Equal(1, 2, 3);
        findings.Select(f => f.GetProperty("data").GetProperty("state").GetString()).Should().Equal("open", "open", "resolved");
        findings.Select(f => f.GetProperty("sequence").GetInt64()).Should().Equal(1, 3, 4);
    }

    [Fact]
    public async Task HandleAsync_NamesFilter_FindingsStillArrive()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"{StreamPath}?names=val_loss", cts.Token), cts.Token);

        await server.PublishAsync(Loss(run, 1), Finding(run), Metric(run, 2, (MetricNames.ValLoss, 0.5)));

        var items = await sse.NextAsync(2);
        items.Select(i => (i.EventType, i.Id())).Should().Equal(("finding", 2L), ("metrics_update", 3L));
    }

    [Fact]
    public async Task HandleAsync_ResumeOlderThanRing_ReplaysFindingRevisionsFromTheStore()
    {
        await using var server = await StreamingTestServer.StartAsync(configureBus: o =>
        {
            o.HistoryCapacity = 4;
            o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
        });
        using var cts = Eventually.Timeout();
        var run = Run("run-a");
        var raised = Finding(run);
        var resolved = Finding(run, state: FindingState.Resolved, revision: 2);
        await server.PublishAsync([raised, .. Enumerable.Range(1, 10).Select(i => Loss(run, i)), resolved, .. Enumerable.Range(11, 10).Select(i => Loss(run, i))]);
        await server.WaitForStoreAsync();
        server.Bus.GetHistory().Should().NotContain(e => e is FindingEvent, "the ring holds only the newest events");

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token, lastEventId: "0"), cts.Token);

        var items = await sse.NextAsync(22);
        items.Select(i => i.Id()).Should().Equal(Enumerable.Range(1, 22).Select(i => (long)i));
        var findings = items.Where(i => i.EventType == "finding").ToList();
        findings.Select(i => i.Id()).Should().Equal(raised.Offset, resolved.Offset);
        findings.Select(i => i.Data).Should().Equal(
            System.Text.Encoding.UTF8.GetString(TrainInsight.Streaming.Serialization.WireFormat.SerializeSse(raised)),
            System.Text.Encoding.UTF8.GetString(TrainInsight.Streaming.Serialization.WireFormat.SerializeSse(resolved)));
    }

    [Fact]
    public async Task HandleAsync_NamesAndRunFilterWithResume_ReplaysOnlyMatchingEvents()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        var a = Run("run-a");
        var b = Run("run-b");
        await server.PublishAsync(
            Metric(a, 1, (MetricNames.ValLoss, 1)), Metric(b, 1, (MetricNames.ValLoss, 1)), Loss(a, 2), Metric(a, 3, (MetricNames.ValLoss, 1)));

        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync($"{StreamPath}?run=run-a&names=val_loss&after=0", cts.Token), cts.Token);

        (await sse.NextAsync(2)).Select(i => i.Id()).Should().Equal(1, 4);
    }

    public static TheoryData<string> InvalidNames => new()
    {
        "names=",
        "names=,,",
        "names=%20",
        "names=ok," + new string('n', 129),
        "names=" + string.Join(',', Enumerable.Range(0, 257).Select(i => $"m{i}")),
    };

    [Theory]
    [MemberData(nameof(InvalidNames))]
    public async Task HandleAsync_InvalidNames_Returns400ProblemAndDoesNotSubscribe(string query)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();

        using var response = await server.OpenSseAsync($"{StreamPath}?{query}", cts.Token);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().ContainAny("names", "128");
        server.Bus.GetStatistics().Subscribers.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_DashboardReconnectsAfterOutage_MissedEventsStillInRing_GetsEveryEventInOrder()
    {
        // The ring holds far more than the outage publishes: the whole missed range is replayed from memory.
        await using var server = await StreamingTestServer.StartAsync(o => o.ClientQueueCapacity = 1_000_000, o => o.HistoryCapacity = 1_000_000);

        var coverage = await DashboardReconnectsAfterOutageAsync(server);

        coverage.Gaps.Should().BeEmpty();
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
        var afterGaps = coverage.Gaps[^1].Last;
        coverage.Events.Should().Contain(o => o > afterGaps, "every event after the last gap arrives");
    }

    /// <summary>
    /// The "done when": a dashboard reads a live stream, loses the network while the trainer keeps publishing
    /// (30 s scaled down to 10,000 events, about 3 s), reconnects with Last-Event-ID and must get every missed event, or an
    /// explicit gap, in order and without duplicates, then the live stream, while the trainer keeps publishing.
    /// </summary>
    private static async Task<StreamCoverage> DashboardReconnectsAfterOutageAsync(StreamingTestServer server, int outageEvents = 10_000)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var run = Run("run-a");
        await using var publisher = PacedPublisher.Start(server.Bus, run);

        var before = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);
        var seen = (await before.NextAsync(100)).Select(i => i.Id()).ToList();
        seen.Should().Equal(Enumerable.Range((int)seen[0], 100).Select(i => (long)i));
        await before.DisposeAsync(); // The network goes away.

        var lastSeen = seen[^1];
        await Poll.UntilAsync(
            () => server.Bus.GetStatistics().LastOffset >= lastSeen + outageEvents, "the trainer to publish through the outage", TimeSpan.FromSeconds(60));

        await using var after = await SseReader.OpenAsync(
            await server.OpenSseAsync(StreamPath, cts.Token, lastEventId: lastSeen.ToString(CultureInfo.InvariantCulture)), cts.Token);
        var reconnectedAt = server.Bus.GetStatistics().LastOffset;
        var coverage = new StreamCoverage(lastSeen);
        await FollowAsync(after, coverage, reconnectedAt + 500); // Past the seam into live events, while the trainer publishes.

        await publisher.StopAsync();
        await server.WaitForDispatchAsync();
        var lastOffset = server.Bus.GetStatistics().LastOffset;
        await FollowAsync(after, coverage, lastOffset);

        coverage.Covered.Should().Be(lastOffset);
        coverage.Events.Should().OnlyHaveUniqueItems().And.BeInAscendingOrder();
        coverage.Events.Should().Contain(Enumerable.Range((int)(reconnectedAt - 999), 1_000).Select(i => (long)i), "what the ring held at reconnection is never lost");
        coverage.Events.Should().Contain(Enumerable.Range((int)reconnectedAt + 1, (int)(lastOffset - reconnectedAt)).Select(i => (long)i), "live events follow");
        return coverage;
    }

    /// <summary>Reads items into <paramref name="coverage"/> until it has covered <paramref name="offset"/>; gaps have no id, events their offset.</summary>
    private static async Task FollowAsync(SseReader sse, StreamCoverage coverage, long offset)
    {
        while (coverage.Covered < offset)
        {
            var item = await sse.NextAsync();
            coverage.Add(item.Json(), "event_type");
            if (item.EventType == "gap")
            {
                item.EventId.Should().BeNull("a gap must not move the client's resume position");
            }
            else
            {
                item.Id().Should().Be(coverage.Covered);
            }
        }
    }

    /// <summary>Reads one SSE frame's lines, skipping comments (the greeting, heartbeats).</summary>
    private static async Task<List<string>> ReadFrameAsync(StreamReader reader, CancellationToken cancellationToken)
    {
        var frame = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            line.Should().NotBeNull("the stream must stay open");
            if (line!.StartsWith(':'))
            {
                continue;
            }

            if (line.Length == 0)
            {
                if (frame.Count > 0)
                {
                    return frame;
                }

                continue;
            }

            frame.Add(line);
        }
    }

    private static async Task<bool> EndOrFailAsync(SseReader sse)
    {
        try
        {
            while (await sse.NextOrEndAsync() is not null)
            {
            }

            return true;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return true; // The server closed the connection.
        }
    }

    /// <summary>
    /// Reads part of a live stream, disconnects, reconnects from the last id seen while a publisher keeps publishing,
    /// and checks that the two connections together saw every offset exactly once.
    /// </summary>
    private static async Task ResumeWhilePublishingAsync(Func<StreamingTestServer, string, CancellationToken, Task<HttpResponseMessage>> reconnect)
    {
        // Large client queues: this test is about resuming, not about slow clients losing events.
        await using var server = await StreamingTestServer.StartAsync(o => o.ClientQueueCapacity = 1_000_000);
        using var cts = Eventually.Timeout();
        var run = Run("run-a");

        var first = await SseReader.OpenAsync(await server.OpenSseAsync(StreamPath, cts.Token), cts.Token);
        using var stopPublishing = new CancellationTokenSource();
        var publisher = Task.Run(async () =>
        {
            var step = 0L;
            while (!stopPublishing.IsCancellationRequested)
            {
                server.Bus.TryPublish(Loss(run, ++step)).Should().BeTrue();
                if (step % 4 == 0)
                {
                    await Task.Delay(1);
                }
            }
        });

        var firstIds = (await first.NextAsync(40)).Select(i => i.Id()).ToList();
        await first.DisposeAsync();

        var resumeFrom = firstIds[^1].ToString(CultureInfo.InvariantCulture);
        await using var second = await SseReader.OpenAsync(await reconnect(server, resumeFrom, cts.Token), cts.Token);
        var secondIds = (await second.NextAsync(40)).Select(i => i.Id()).ToList();

        await stopPublishing.CancelAsync();
        await publisher.WaitAsync(cts.Token);
        await server.WaitForDispatchAsync();
        var lastOffset = server.Bus.GetStatistics().LastOffset;
        while (secondIds[^1] < lastOffset)
        {
            secondIds.Add((await second.NextAsync()).Id());
        }

        firstIds.Should().Equal(Enumerable.Range(1, 40).Select(i => (long)i), "the first connection subscribed before anything was published");
        secondIds[0].Should().Be(firstIds[^1] + 1);
        var union = firstIds.Concat(secondIds).ToList();
        union.Should().OnlyHaveUniqueItems();
        union.Should().Equal(Enumerable.Range(1, (int)lastOffset).Select(i => (long)i));
        server.Bus.GetStatistics().DroppedAtSubscribers.Should().Be(0);
    }
}
