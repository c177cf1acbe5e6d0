using System.Diagnostics;
using System.Globalization;
using System.Net;
using TrainInsight.LoadTests.Clients;
using TrainInsight.LoadTests.Measurement;

namespace TrainInsight.LoadTests.Server;

/// <summary>
/// The server process: starts the server under test (TrainInsight, or the raw-socket floor) and the echo socket, warms
/// the SSE path up, then answers the runner's <c>rss</c>, <c>publish RATE SECONDS</c> and <c>quit</c> commands.
/// </summary>
internal static class ServerRole
{
    public static async Task<int> RunAsync(Arguments options)
    {
        var kind = options.Text("kind") ?? "traininsight";
        await using ILoadTarget target = kind switch
        {
            "traininsight" => await TrainInsightTarget.StartAsync().ConfigureAwait(false),
            "raw" => new RawSseTarget(),
            _ => throw new ArgumentException($"Unknown server kind '{kind}'."),
        };
        using var echo = new EchoServer();
        var endpoint = new IPEndPoint(IPAddress.Loopback, target.Port);

        await WarmUpAsync(endpoint, target).ConfigureAwait(false);
        LineProtocol.Reply("listening", $"port={target.Port} echo_port={echo.Port} pid={Environment.ProcessId}");

        while (await LineProtocol.ReadCommandAsync().ConfigureAwait(false) is { } command && command.Length > 0 && command[0] != "quit")
        {
            switch (command[0])
            {
                case "rss":
                    var rss = ProcStat.ResidentBytesAfterGc();
                    LineProtocol.Reply("rss", string.Create(CultureInfo.InvariantCulture,
                        $"bytes={rss} subscribers={target.Subscribers} managed_heap_bytes={GC.GetTotalMemory(false)}"));
                    break;
                case "publish":
                    var rate = double.Parse(command[1], CultureInfo.InvariantCulture);
                    var seconds = double.Parse(command[2], CultureInfo.InvariantCulture);
                    var before = target.Dropped;
                    var windowClosed = new TaskCompletionSource();
                    var window = CpuWindow.Start();
                    var published = await RunPublisherAsync(target, rate, seconds, windowClosed.Task).ConfigureAwait(false);
                    await target.WaitForDispatchAsync().ConfigureAwait(false);
                    var cpu = window.Stop();
                    windowClosed.SetResult();
                    var after = target.Dropped;
                    LineProtocol.Reply("published", string.Create(CultureInfo.InvariantCulture,
                        $"count={published} dropped_at_ingest={after.AtIngest - before.AtIngest} dropped_at_subscribers={after.AtSubscribers - before.AtSubscribers} subscribers={target.Subscribers} {cpu}"));
                    break;
                default:
                    Console.Error.WriteLine($"server: unknown command '{string.Join(' ', command)}'");
                    break;
            }
        }

        return 0;
    }

    private static Task<long> RunPublisherAsync(ILoadTarget target, double rate, double seconds, Task windowClosed)
    {
        // A dedicated thread, like a training loop: the publisher never waits behind thread-pool work. It stays alive
        // until the CPU window is closed, so its CPU shows in the per-thread profile (the raw server's fan-out runs on it).
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            done.SetResult(Publisher.Run(target.Publish, rate, seconds));
            windowClosed.Wait();
        })
        { IsBackground = true, Name = "publisher" }.Start();
        return done.Task;
    }

    /// <summary>
    /// One SSE client and a few events before anything is measured, so JIT-compiled code and first-use allocations
    /// are in the baseline RSS rather than counted as per-connection memory.
    /// </summary>
    private static async Task WarmUpAsync(IPEndPoint endpoint, ILoadTarget target)
    {
        var stats = new ClientStats(64);
        using var stop = new CancellationTokenSource();
        var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = SseConnection.RunAsync(endpoint, null, SseConnection.Request(endpoint), stats, opened, stop.Token);
        await opened.Task.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        Publisher.Run(target.Publish, rate: 100, seconds: 0.1);
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
        while (target.Subscribers > 0 && Stopwatch.GetElapsedTime(start) < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
