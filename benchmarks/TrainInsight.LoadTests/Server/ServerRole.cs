using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.LoadTests.Clients;
using TrainInsight.LoadTests.Measurement;

namespace TrainInsight.LoadTests.Server;

/// <summary>
/// The server process: starts the host and the echo socket, warms the SSE path up, then answers the runner's
/// <c>rss</c>, <c>publish RATE SECONDS</c> and <c>quit</c> commands.
/// </summary>
internal static class ServerRole
{
    public static async Task<int> RunAsync()
    {
        await using var app = await LoadServer.StartAsync().ConfigureAwait(false);
        using var echo = new EchoServer();
        var bus = app.Services.GetRequiredService<ITelemetryBus>();
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single());
        var endpoint = new IPEndPoint(IPAddress.Loopback, address.Port);

        await WarmUpAsync(endpoint, bus).ConfigureAwait(false);
        LineProtocol.Reply("listening", $"port={address.Port} echo_port={echo.Port} pid={Environment.ProcessId}");

        while (await LineProtocol.ReadCommandAsync().ConfigureAwait(false) is { } command && command.Length > 0 && command[0] != "quit")
        {
            switch (command[0])
            {
                case "rss":
                    var rss = ProcStat.ResidentBytesAfterGc();
                    LineProtocol.Reply("rss", string.Create(CultureInfo.InvariantCulture,
                        $"bytes={rss} subscribers={bus.GetStatistics().Subscribers} managed_heap_bytes={GC.GetTotalMemory(false)}"));
                    break;
                case "publish":
                    var rate = double.Parse(command[1], CultureInfo.InvariantCulture);
                    var seconds = double.Parse(command[2], CultureInfo.InvariantCulture);
                    var before = bus.GetStatistics();
                    var window = CpuWindow.Start();
                    var published = await RunPublisherAsync(bus, rate, seconds).ConfigureAwait(false);
                    await WaitForDispatchAsync(bus).ConfigureAwait(false);
                    var cpu = window.Stop();
                    var after = bus.GetStatistics();
                    LineProtocol.Reply("published", string.Create(CultureInfo.InvariantCulture,
                        $"count={published} dropped_at_ingest={after.DroppedAtIngest - before.DroppedAtIngest} dropped_at_subscribers={after.DroppedAtSubscribers - before.DroppedAtSubscribers} subscribers={after.Subscribers} {cpu}"));
                    break;
                default:
                    Console.Error.WriteLine($"server: unknown command '{string.Join(' ', command)}'");
                    break;
            }
        }

        await app.StopAsync().ConfigureAwait(false);
        return 0;
    }

    private static Task<long> RunPublisherAsync(ITelemetryBus bus, double rate, double seconds)
    {
        // A dedicated thread, like a training loop: the publisher never waits behind thread-pool work.
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() => done.SetResult(Publisher.Run(bus, rate, seconds))) { IsBackground = true, Name = "publisher" }.Start();
        return done.Task;
    }

    private static async Task WaitForDispatchAsync(ITelemetryBus bus)
    {
        var start = Stopwatch.GetTimestamp();
        while (bus.GetStatistics() is var s && s.Dispatched + s.DroppedAtIngest < s.Published && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One SSE client and a few events before anything is measured, so JIT-compiled code and first-use allocations
    /// are in the baseline RSS rather than counted as per-connection memory.
    /// </summary>
    private static async Task WarmUpAsync(IPEndPoint endpoint, ITelemetryBus bus)
    {
        var stats = new ClientStats(64);
        using var stop = new CancellationTokenSource();
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = SseConnection.RunAsync(endpoint, null, SseConnection.Request(endpoint), stats, opened, stop.Token);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Publisher.Run(bus, rate: 100, seconds: 0.1);
        var start = Stopwatch.GetTimestamp();
        while (stats.Events < 10 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }

        if (stats.Events < 10)
        {
            throw new InvalidOperationException($"Warm-up failed: {stats.Events} of 10 events arrived ({stats.FirstError ?? "no error"}).");
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await client.ConfigureAwait(false);
        start = Stopwatch.GetTimestamp();
        while (bus.GetStatistics().Subscribers > 0 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
