using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace TrainInsight.HttpIngest.Tests;

public sealed class HttpIngestSinkTests
{
    private static readonly TimeSpan s_patience = Poll.DefaultTimeout;

    // As IHttpClientFactory's clients are: shared, and without a timeout of their own (the sink bounds each attempt).
    private static readonly HttpClient s_http = new() { Timeout = Timeout.InfiniteTimeSpan };
    [Fact]
    public void Constructor_NullArguments_ThrowArgumentNullException()
    {
        using var bus = TelemetryBus.Create();
        var options = new HttpIngestSinkOptions(new Uri("http://127.0.0.1:1/api/ingest"));

        ((Action)(() => _ = new HttpIngestSink(null!, options, s_http))).Should().Throw<ArgumentNullException>();
        ((Action)(() => _ = new HttpIngestSink(bus, null!, s_http))).Should().Throw<ArgumentNullException>();
        ((Action)(() => _ = new HttpIngestSink(bus, options, null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task Send_EventsOfTwoRuns_ArriveInOrderWithTheDocumentedShape()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var a = new RunDescriptor("run-a") { Name = "Run A", ModelName = "SmallCnn", ParameterCount = 10, TotalEpochs = 2, StepsPerEpoch = 5 };
        var b = new RunDescriptor("run-b");

        bus.TryPublish(new TrainingEvent(a, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
        bus.TryPublish(new MetricEvent(a, 1, new Dictionary<string, double>
        {
            ["train_loss"] = double.NaN,
            ["gradient_norm"] = double.PositiveInfinity,
            ["weight_norm"] = double.NegativeInfinity,
            ["lr"] = 0.001,
        })
        { Epoch = 1, Batch = 1 });
        bus.TryPublish(Metric(b, 1));
        bus.TryPublish(new TrainingEvent(a, TrainingEventKind.EpochCompleted)
        {
            Epoch = 1,
            Step = 5,
            State = RunState.Training,
            Metrics = new Dictionary<string, double> { ["val_loss"] = 0.5 },
            CheckpointPath = "c/1",
        });
        bus.TryPublish(new TrainingEvent(a, TrainingEventKind.RunFinished) { State = RunState.Failed, Message = "diverged" });
        await sink.FlushAsync();

        server.Received.Where(e => e.RunId == "run-a").Select(e => e.Sequence).Should().Equal(1, 2, 3, 4);
        server.Received.Where(e => e.RunId == "run-b").Select(e => e.Sequence).Should().Equal(1);
        sink.SentCount.Should().Be(5);
        var runA = server.Batches.SelectMany(batch => batch.GetProperty("runs").EnumerateArray())
            .First(r => r.GetProperty("run").GetProperty("id").GetString() == "run-a").GetProperty("run");
        runA.GetProperty("name").GetString().Should().Be("Run A");
        runA.GetProperty("model_name").GetString().Should().Be("SmallCnn");
        runA.GetProperty("parameter_count").GetInt64().Should().Be(10);
        runA.GetProperty("total_epochs").GetInt32().Should().Be(2);
        runA.GetProperty("steps_per_epoch").GetInt32().Should().Be(5);
        runA.GetProperty("started_at").GetDouble().Should().Be(a.StartedAt.ToUnixTimeMilliseconds() / 1000.0);

        var events = server.Received.Where(e => e.RunId == "run-a").Select(e => e.Json).ToList();
        events[0].GetProperty("type").GetString().Should().Be("training_event");
        events[0].GetProperty("kind").GetString().Should().Be("run_started");
        events[0].GetProperty("state").GetString().Should().Be("training");
        var metric = events[1];
        metric.GetProperty("type").GetString().Should().Be("metrics_update");
        metric.GetProperty("step").GetInt64().Should().Be(1);
        metric.GetProperty("epoch").GetInt32().Should().Be(1);
        metric.GetProperty("batch").GetInt32().Should().Be(1);
        metric.GetProperty("timestamp").ValueKind.Should().Be(JsonValueKind.Number);
        var values = metric.GetProperty("values");
        values.GetProperty("train_loss").GetString().Should().Be("NaN");
        values.GetProperty("gradient_norm").GetString().Should().Be("Infinity");
        values.GetProperty("weight_norm").GetString().Should().Be("-Infinity");
        values.GetProperty("lr").GetDouble().Should().Be(0.001);
        events[2].GetProperty("kind").GetString().Should().Be("epoch_completed");
        events[2].GetProperty("metrics").GetProperty("val_loss").GetDouble().Should().Be(0.5);
        events[2].GetProperty("checkpoint_path").GetString().Should().Be("c/1");
        events[3].GetProperty("state").GetString().Should().Be("failed");
        events[3].GetProperty("message").GetString().Should().Be("diverged");
        events[3].TryGetProperty("step", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Send_RunWithHyperparameters_SendsThemWithTheRun()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var run = new RunDescriptor("run-h")
        {
            Hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.Optimizer] = "adam", [HyperparameterNames.BatchSize] = 64 },
        };

        bus.TryPublish(Metric(run, 1));
        await sink.FlushAsync();

        server.Batches.Single().GetProperty("runs")[0].GetProperty("run").GetProperty("hyperparameters").GetRawText()
            .Should().Be("""{"batch_size":64,"optimizer":"adam"}""");
    }

    [Fact]
    public async Task Send_LostNotice_IsNotForwarded()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var run = new RunDescriptor("run-a");

        bus.TryPublish(Metric(run, 1));
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunLost) { State = RunState.Lost });
        bus.TryPublish(Metric(run, 2));
        await sink.FlushAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(1, 3);
    }

    [Fact]
    public async Task Send_ControlAcknowledgement_IsNotForwarded()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var run = new RunDescriptor("run-a");

        bus.TryPublish(Metric(run, 1));
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.ControlApplied) { Command = new ControlCommand(ControlAction.Pause), ControlStatus = ControlStatus.Applied });
        bus.TryPublish(Metric(run, 2));
        await sink.FlushAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(1, 3);
    }

    [Fact]
    public async Task Send_RunFilter_SendsOnlyThatRun()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        var options = Fast(server.Endpoint);
        options.RunId = "run-b";
        await using var sink = new HttpIngestSink(bus, options, s_http);

        bus.TryPublish(Metric(new RunDescriptor("run-a"), 1));
        bus.TryPublish(Metric(new RunDescriptor("run-b"), 1));
        await sink.FlushAsync();

        server.Received.Select(e => e.RunId).Should().Equal("run-b");
    }

    [Fact]
    public async Task Send_ManyEvents_SplitsIntoBatchesOfBatchSize()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        var options = Fast(server.Endpoint);
        options.BatchSize = 10;
        await using var sink = new HttpIngestSink(bus, options, s_http);
        var run = new RunDescriptor("run-a");

        for (var i = 1; i <= 95; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await sink.FlushAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 95).Select(i => (long)i));
        server.Batches.Should().OnlyContain(b => b.GetProperty("runs")[0].GetProperty("events").GetArrayLength() <= 10);
    }

    [Fact]
    public async Task Send_ServerReturns500ThenAccepts_RetriesAndDeliversEachEventOnce()
    {
        await using var server = await FakeIngestServer.StartAsync();
        server.Respond = (index, context) => Status(context, index < 2 ? StatusCodes.Status500InternalServerError : null);
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var run = new RunDescriptor("run-a");

        for (var i = 1; i <= 5; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await sink.FlushAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4, 5);
        sink.FailedAttemptCount.Should().Be(2);
        sink.SentCount.Should().Be(5);
        sink.RejectedCount.Should().Be(0);
    }

    [Fact]
    public async Task Send_ServerReturns429WithRetryAfter_WaitsThatLongBeforeRetrying()
    {
        await using var server = await FakeIngestServer.StartAsync();
        var times = new List<DateTimeOffset>();
        server.Respond = async (index, context) =>
        {
            lock (times)
            {
                times.Add(DateTimeOffset.UtcNow);
            }

            if (index > 0)
            {
                return false;
            }

            context.Response.Headers.RetryAfter = "1";
            return await Status(context, StatusCodes.Status429TooManyRequests);
        };
        using var bus = TelemetryBus.Create();
        var options = Fast(server.Endpoint);
        options.MaxRetryDelay = TimeSpan.FromSeconds(10);
        await using var sink = new HttpIngestSink(bus, options, s_http);

        bus.TryPublish(Metric(new RunDescriptor("run-a"), 1));
        await sink.FlushAsync();

        server.Received.Should().ContainSingle();
        sink.FailedAttemptCount.Should().Be(1);
        // The backoff alone would have retried after a few milliseconds.
        (times[1] - times[0]).Should().BeGreaterThan(TimeSpan.FromMilliseconds(900));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(413)]
    public async Task Send_ServerRejectsBatch_GivesUpCountsAndSendsLaterEvents(int status)
    {
        await using var server = await FakeIngestServer.StartAsync();
        server.Respond = (index, context) => Status(context, index == 0 ? status : null);
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var run = new RunDescriptor("run-a");

        bus.TryPublish(Metric(run, 1));
        bus.TryPublish(Metric(run, 2));
        await sink.FlushAsync();
        bus.TryPublish(Metric(run, 3));
        await sink.FlushAsync();

        sink.RejectedCount.Should().Be(2);
        sink.FailedAttemptCount.Should().Be(0);
        server.RequestCount.Should().Be(2);
        server.Received.Select(e => e.Sequence).Should().Equal(3);
    }

    [Fact]
    public async Task Send_ServerReportsDuplicates_CountsThem()
    {
        await using var server = await FakeIngestServer.StartAsync();
        server.Respond = async (_, context) =>
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"accepted":1,"duplicates":2,"runs":[]}""");
            return true;
        };
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);
        var run = new RunDescriptor("run-a");

        bus.TryPublish(Metric(run, 1));
        bus.TryPublish(Metric(run, 2));
        bus.TryPublish(Metric(run, 3));
        await sink.FlushAsync();

        sink.SentCount.Should().Be(1);
        sink.DuplicateCount.Should().Be(2);
    }

    [Fact]
    public async Task Send_ServerDownThenUp_DeliversEverythingInOrder()
    {
        var port = FakeIngestServer.FreePort();
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(FakeIngestServer.EndpointAt(port)), s_http);
        var run = new RunDescriptor("run-a");
        for (var i = 1; i <= 50; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await Poll.UntilAsync(() => sink.FailedAttemptCount >= 2, "the sink to fail against the absent server");
        await using var server = await FakeIngestServer.StartAsync(port);
        for (var i = 51; i <= 60; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await sink.FlushAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 60).Select(i => (long)i));
        sink.SentCount.Should().Be(60);
        sink.DroppedCount.Should().Be(0);
    }

    [Fact]
    public async Task Buffer_ServerUnreachable_DropsOldestAndCounts()
    {
        var port = FakeIngestServer.FreePort();
        using var bus = TelemetryBus.Create();
        var options = Fast(FakeIngestServer.EndpointAt(port));
        options.BatchSize = 5;
        options.MaxBufferedEvents = 10;
        await using var sink = new HttpIngestSink(bus, options, s_http);
        var run = new RunDescriptor("run-a");
        bus.TryPublish(Metric(run, 1));
        await Poll.UntilAsync(() => sink.FailedAttemptCount >= 1, "the sink to hold event 1 in a failing request");

        for (var i = 2; i <= 100; i++)
        {
            bus.TryPublish(Metric(run, i)).Should().BeTrue();
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 100, "the bus to dispatch every event");
        sink.DroppedCount.Should().Be(89);
        await using var server = await FakeIngestServer.StartAsync(port);
        await sink.FlushAsync();

        // Event 1 was in flight; of the 99 that waited, only the newest 10 were kept.
        server.Received.Select(e => e.Sequence).Should().Equal(new long[] { 1 }.Concat(Enumerable.Range(91, 10).Select(i => (long)i)));
        sink.SentCount.Should().Be(11);
        sink.DroppedCount.Should().Be(89);
    }

    [Fact]
    public async Task TryPublish_ServerStalls_NeverBlocksTheTrainer()
    {
        await using var server = await FakeIngestServer.StartAsync();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Respond = async (_, _) =>
        {
            await release.Task;
            return false;
        };
        using var bus = TelemetryBus.Create();
        var options = Fast(server.Endpoint);
        options.BatchSize = 100;
        options.RequestTimeout = TimeSpan.FromMinutes(1);
        await using var sink = new HttpIngestSink(bus, options, s_http);
        var run = new RunDescriptor("run-a");
        bus.TryPublish(Metric(run, 1));
        await Poll.UntilAsync(() => server.RequestCount == 1, "the first request to stall in the server");

        // The "training loop": if TryPublish waited for the network, this would never end while the server stalls.
        for (var i = 2; i <= 20_000; i++)
        {
            bus.TryPublish(Metric(run, i)).Should().BeTrue();
        }

        release.Task.IsCompleted.Should().BeFalse();
        server.RequestCount.Should().Be(1);
        release.SetResult();
        await sink.FlushAsync();
        server.Received.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 20_000).Select(i => (long)i));
    }

    [Fact]
    public async Task DisposeAsync_EventsWaitingForTheInterval_SendsThemFirst()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        var options = Fast(server.Endpoint);
        options.FlushInterval = TimeSpan.FromMinutes(1);
        var sink = new HttpIngestSink(bus, options, s_http);
        var run = new RunDescriptor("run-a");
        for (var i = 1; i <= 5; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await sink.DisposeAsync();

        server.Received.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4, 5);
        sink.SentCount.Should().Be(5);
        sink.DroppedCount.Should().Be(0);
    }

    [Fact]
    public async Task DisposeAsync_ServerUnreachable_StopsAfterTimeoutAndCountsDropped()
    {
        using var bus = TelemetryBus.Create();
        var options = Fast(FakeIngestServer.EndpointAt(FakeIngestServer.FreePort()));
        options.DisposeTimeout = TimeSpan.FromMilliseconds(200);
        options.BatchSize = 4;
        var sink = new HttpIngestSink(bus, options, s_http);
        var run = new RunDescriptor("run-a");
        for (var i = 1; i <= 10; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await sink.DisposeAsync().AsTask().WaitAsync(s_patience);

        sink.SentCount.Should().Be(0);
        sink.DroppedCount.Should().Be(10);
        await sink.FlushAsync(); // after disposal: returns at once
    }

    [Fact]
    public async Task FlushAsync_LongInterval_SendsWithoutWaitingForIt()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        var options = Fast(server.Endpoint);
        options.FlushInterval = TimeSpan.FromMinutes(1);
        await using var sink = new HttpIngestSink(bus, options, s_http);

        bus.TryPublish(Metric(new RunDescriptor("run-a"), 1));
        await sink.FlushAsync().WaitAsync(s_patience);

        server.Received.Should().ContainSingle();
    }

    [Fact]
    public async Task FlushAsync_Canceled_ThrowsAndSinkKeepsSending()
    {
        using var bus = TelemetryBus.Create();
        var port = FakeIngestServer.FreePort();
        await using var sink = new HttpIngestSink(bus, Fast(FakeIngestServer.EndpointAt(port)), s_http);
        bus.TryPublish(Metric(new RunDescriptor("run-a"), 1));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var flush = () => sink.FlushAsync(cts.Token);

        await flush.Should().ThrowAsync<OperationCanceledException>();
        await using var server = await FakeIngestServer.StartAsync(port);
        await sink.FlushAsync();
        server.Received.Should().ContainSingle();
    }

    [Fact]
    public async Task Send_IdleLongerThanInterval_SendsWithoutFlush()
    {
        await using var server = await FakeIngestServer.StartAsync();
        using var bus = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(bus, Fast(server.Endpoint), s_http);

        bus.TryPublish(Metric(new RunDescriptor("run-a"), 1));

        await Poll.UntilAsync(() => server.Received.Count == 1, "the interval to send the partial batch");
    }

    private static HttpIngestSinkOptions Fast(Uri endpoint) => new(endpoint)
    {
        FlushInterval = TimeSpan.FromMilliseconds(20),
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(5),
        DisposeTimeout = TimeSpan.FromSeconds(5),
    };

    private static async Task<bool> Status(HttpContext context, int? status)
    {
        if (status is not { } code)
        {
            return false;
        }

        context.Response.StatusCode = code;
        context.Response.ContentType = "application/problem+json";
        await context.Response.WriteAsync("""{"title":"scripted","status":""" + code + "}");
        return true;
    }

    private static MetricEvent Metric(RunDescriptor run, long step, double loss = 1.0) =>
        new(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = loss });
}
