using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using TrainInsight.HttpIngest;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Rest;

/// <summary>A trainer's local bus → <see cref="HttpIngestSink"/> → a real server's <c>POST /api/ingest</c> → the server's bus.</summary>
public sealed class HttpIngestSinkEndToEndTests
{
    private static readonly HttpClient s_http = new() { Timeout = Timeout.InfiniteTimeSpan };
    [Fact]
    public async Task Sink_LocalRun_AppearsOnServerWithIdentityAndNonFiniteValues()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var local = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(local, Fast(Endpoint(server.BaseAddress)), s_http);
        var run = new RunDescriptor("remote-run") { Name = "Remote", ModelName = "SmallCnn", ParameterCount = 105866, TotalEpochs = 3, StepsPerEpoch = 10 };

        local.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training });
        for (var step = 1; step <= 20; step++)
        {
            local.TryPublish(new MetricEvent(run, step, new Dictionary<string, double>
            {
                [MetricNames.TrainLoss] = step == 20 ? double.NaN : 1.0 / step,
                [MetricNames.GradientNorm] = step == 20 ? double.PositiveInfinity : step,
                ["log_ratio"] = double.NegativeInfinity,
            })
            { Epoch = (step - 1) / 10 + 1, Batch = (step - 1) % 10 + 1 });
        }

        local.TryPublish(new TrainingEvent(run, TrainingEventKind.RunFinished) { State = RunState.Failed, Message = "diverged" });
        await sink.FlushAsync();
        await server.WaitForDispatchAsync();

        var history = server.Bus.GetHistory();
        history.Should().HaveCount(22);
        history.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, 22).Select(i => (long)i));
        history.Select(e => e.Run).Distinct().Should().ContainSingle();
        var remote = history[0].Run;
        remote.Should().NotBeSameAs(run);
        remote.Id.Should().Be("remote-run");
        remote.Name.Should().Be("Remote");
        remote.ModelName.Should().Be("SmallCnn");
        remote.ParameterCount.Should().Be(105866);
        remote.StartedAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(run.StartedAt.ToUnixTimeMilliseconds()));
        var last = history[20].Should().BeOfType<MetricEvent>().Subject;
        last.Step.Should().Be(20);
        last.Epoch.Should().Be(2);
        last.Batch.Should().Be(10);
        double.IsNaN(last.Values[MetricNames.TrainLoss]).Should().BeTrue();
        last.Values[MetricNames.GradientNorm].Should().Be(double.PositiveInfinity);
        last.Values["log_ratio"].Should().Be(double.NegativeInfinity);
        history[21].Should().BeOfType<TrainingEvent>().Which.Message.Should().Be("diverged");
        sink.SentCount.Should().Be(22);
    }

    [Fact]
    public async Task Sink_TwoRunsPublishedInParallel_KeepSeparateIdentitiesAndOrder()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var local = TelemetryBus.Create();
        var options = Fast(Endpoint(server.BaseAddress));
        options.BatchSize = 16;
        await using var sink = new HttpIngestSink(local, options, s_http);
        var a = new RunDescriptor("run-a");
        var b = new RunDescriptor("run-b");

        await Task.WhenAll(
            Task.Run(() => Publish(local, a, 500)),
            Task.Run(() => Publish(local, b, 500)));
        await sink.FlushAsync();
        await server.WaitForDispatchAsync();

        var history = server.Bus.GetHistory();
        foreach (var id in new[] { "run-a", "run-b" })
        {
            var events = history.Where(e => e.RunId == id).Cast<MetricEvent>().ToList();
            events.Select(e => e.Step).Should().Equal(Enumerable.Range(1, 500).Select(i => (long)i));
            events.Select(e => e.Run).Distinct().Should().ContainSingle();
        }
    }

    [Fact]
    public async Task Sink_ServerDownThenUp_DeliversEverythingInOrderWithoutDuplicates()
    {
        var port = FreePort();
        using var local = TelemetryBus.Create();
        await using var sink = new HttpIngestSink(local, Fast(new Uri($"http://127.0.0.1:{port}/api/ingest")), s_http);
        var run = new RunDescriptor("remote-run");
        Publish(local, run, 100);
        await Poll.UntilAsync(() => sink.FailedAttemptCount >= 3, "the sink to retry against the absent server");

        await using var server = await StreamingTestServer.StartAsync(port: port);
        Publish(local, run, 100, firstStep: 101);
        await sink.FlushAsync();
        await server.WaitForDispatchAsync();

        server.Bus.GetHistory().Cast<MetricEvent>().Select(e => e.Step).Should().Equal(Enumerable.Range(1, 200).Select(i => (long)i));
        sink.SentCount.Should().Be(200);
        sink.DroppedCount.Should().Be(0);
    }

    [Fact]
    public async Task Sink_ResponseLost_ResendIsAcknowledgedAsDuplicateAndStoredOnce()
    {
        var lost = 0;
        await using var server = await StreamingTestServer.StartAsync(configureApp: app => app.Use(async (context, next) =>
        {
            if (Interlocked.Exchange(ref lost, 1) != 0)
            {
                await next(context);
                return;
            }

            // The endpoint runs and publishes, but its answer never reaches the client.
            context.Response.Body = new MemoryStream();
            await next(context);
            context.Abort();
        }));
        using var local = TelemetryBus.Create();
        var options = Fast(Endpoint(server.BaseAddress));
        options.FlushInterval = TimeSpan.FromMinutes(1);
        await using var sink = new HttpIngestSink(local, options, s_http);
        var run = new RunDescriptor("remote-run");

        Publish(local, run, 10);
        await sink.FlushAsync();
        await server.WaitForDispatchAsync();

        server.Bus.GetHistory().Cast<MetricEvent>().Select(e => e.Step).Should().Equal(Enumerable.Range(1, 10).Select(i => (long)i));
        sink.FailedAttemptCount.Should().Be(1);
        sink.DuplicateCount.Should().Be(10);
        sink.SentCount.Should().Be(0);
    }

    private static void Publish(ITelemetryBus bus, RunDescriptor run, int count, int firstStep = 1)
    {
        for (var step = firstStep; step < firstStep + count; step++)
        {
            bus.TryPublish(new MetricEvent(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1.0 / step }))
                .Should().BeTrue();
        }
    }

    private static Uri Endpoint(Uri baseAddress) => new(baseAddress, "api/ingest");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static HttpIngestSinkOptions Fast(Uri endpoint) => new(endpoint)
    {
        FlushInterval = TimeSpan.FromMilliseconds(20),
        InitialRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(100),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };
}
