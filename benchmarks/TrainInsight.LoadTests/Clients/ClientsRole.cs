using System.Diagnostics;
using System.Globalization;
using System.Net;
using TrainInsight.LoadTests.Measurement;

namespace TrainInsight.LoadTests.Clients;

/// <summary>
/// The load generator process: measures the loopback round trip, opens N SSE connections, then records latencies
/// and its own CPU between the runner's <c>measure</c> and <c>report</c> commands.
/// </summary>
internal static class ClientsRole
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var server = new IPEndPoint(IPAddress.Loopback, args.Int("port", 0));
        var connections = args.Int("connections", 1_000);
        var sourceAddresses = args.Int("source-addresses", 1);
        var parallelism = args.Int("connect-parallelism", 64);
        var stats = new ClientStats(args.Int("max-samples", 4_000_000));

        // Only the load generator is tuned: thousands of connections open at once, and more threads up front avoid the
        // pool's slow thread injection turning that burst into seconds of queueing. The server keeps .NET's defaults.
        ThreadPool.SetMinThreads(16, 16);

        if (args.Has("echo-port"))
        {
            LineProtocol.Reply("rtt", RoundTrip.Measure(new IPEndPoint(IPAddress.Loopback, args.Int("echo-port", 0)), args.Int("rtt-count", 10_000)));
        }

        using var stop = new CancellationTokenSource();
        var request = SseConnection.Request(server);
        var running = new List<Task>(connections);
        var started = Stopwatch.GetTimestamp();
        using (var inFlight = new SemaphoreSlim(parallelism))
        {
            // Connects in waves of at most `parallelism` pending handshakes, so the server's accept backlog never overflows
            // (an overflow costs a 1 s SYN retransmit and would be measured as a slow connection, not a broken one).
            for (var i = 0; i < connections; i++)
            {
                await inFlight.WaitAsync().ConfigureAwait(false);
                var source = sourceAddresses > 1 ? new IPAddress([127, 0, 0, (byte)(1 + (i % sourceAddresses))]) : null;
                var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ = opened.Task.ContinueWith(_ => inFlight.Release(), TaskScheduler.Default);
                running.Add(Task.Run(() => SseConnection.RunAsync(server, source, request, stats, opened, stop.Token)));
            }

            while (stats.Open + stats.Failed < connections && Stopwatch.GetElapsedTime(started) < TimeSpan.FromMinutes(2))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }

        LineProtocol.Reply("connected", string.Create(CultureInfo.InvariantCulture,
            $"open={stats.Open} failed={stats.Failed} seconds={Stopwatch.GetElapsedTime(started).TotalSeconds:F2} first_error={(stats.FirstError ?? "-").Replace(' ', '_')}"));

        CpuWindow? window = null;
        var openAtStart = 0;
        while (await LineProtocol.ReadCommandAsync().ConfigureAwait(false) is { } command && command.Length > 0 && command[0] != "quit")
        {
            switch (command[0])
            {
                case "measure":
                    stats.ResetEvents();
                    openAtStart = stats.Open - stats.Closed;
                    window = CpuWindow.Start();
                    LineProtocol.Reply("measuring", $"open={openAtStart}");
                    break;
                case "report":
                    var published = long.Parse(command[1], CultureInfo.InvariantCulture);
                    var expected = published * openAtStart;
                    // Late events are still on their way: wait until all arrived, or 3 s at most.
                    var waitStart = Stopwatch.GetTimestamp();
                    while (stats.Events < expected && Stopwatch.GetElapsedTime(waitStart) < TimeSpan.FromSeconds(3))
                    {
                        await Task.Delay(20).ConfigureAwait(false);
                    }

                    var cpu = window?.Stop() ?? "";
                    LineProtocol.Reply("report", string.Create(CultureInfo.InvariantCulture,
                        $"open_at_start={openAtStart} open_at_end={stats.Open - stats.Closed} expected={expected} received={stats.Events} missing={expected - stats.Events} gaps={stats.Gaps} without_timestamp={stats.WithoutTimestamp} {stats.Latencies.Summarize()} {cpu}"));
                    break;
                default:
                    Console.Error.WriteLine($"clients: unknown command '{string.Join(' ', command)}'");
                    break;
            }
        }

        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(running).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }
}
