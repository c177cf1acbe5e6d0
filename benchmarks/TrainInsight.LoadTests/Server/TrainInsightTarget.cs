using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.LoadTests.Server;

/// <summary>The host under test: Kestrel on 127.0.0.1 with TrainInsight streaming, as a real host sets it up.</summary>
internal sealed class TrainInsightTarget : ILoadTarget
{
    private static readonly RunDescriptor s_run = new("load-test") { Name = "TrainInsight load test" };

    private readonly WebApplication _app;
    private readonly ITelemetryBus _bus;

    private TrainInsightTarget(WebApplication app)
    {
        _app = app;
        _bus = app.Services.GetRequiredService<ITelemetryBus>();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        Port = new Uri(address).Port;
    }

    public int Port { get; }

    public int Subscribers => _bus.GetStatistics().Subscribers;

    public (long AtIngest, long AtSubscribers) Dropped =>
        _bus.GetStatistics() is var s ? (s.DroppedAtIngest, s.DroppedAtSubscribers) : default;

    public static async Task<TrainInsightTarget> StartAsync()
    {
        // No configuration sources and no logging providers: nothing but TrainInsight and Kestrel costs CPU here.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            // Both limits are already unlimited by default; set explicitly so a changed default cannot cap the test.
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Limits.MaxConcurrentUpgradedConnections = null;
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0);
        });
        // The default accept backlog is 512; the load generator opens connections 64 at a time, this is headroom.
        builder.Services.Configure<SocketTransportOptions>(o => o.Backlog = 4096);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddRoutingCore();
        builder.Services.AddTrainInsight().AddStreaming();

        var app = builder.Build();
        app.MapTrainInsight();
        await app.StartAsync().ConfigureAwait(false);
        return new TrainInsightTarget(app);
    }

    public bool Publish(long step)
    {
        // Building the event between the timestamp and TryPublish costs well under a microsecond; the event is not
        // changed after it is built, in case MetricEvent ever copies its values.
        var values = new Dictionary<string, double>(2)
        {
            [Publisher.TimestampMetric] = Stopwatch.GetTimestamp(),
            [MetricNames.TrainLoss] = 1.0 / step,
        };
        return _bus.TryPublish(new MetricEvent(s_run, step, values) { Epoch = 1, Batch = (int)step });
    }

    public async Task WaitForDispatchAsync()
    {
        var start = Stopwatch.GetTimestamp();
        while (_bus.GetStatistics() is var s && s.Dispatched + s.DroppedAtIngest < s.Published && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
