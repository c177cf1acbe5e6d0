using System.Globalization;

namespace TrainInsight.LoadTests.Runner;

/// <summary>
/// Runs one scenario with two child processes: the server (host + publisher) and the clients (load generator), so
/// the CPU each uses is measured separately, from /proc, over the same publishing window.
/// </summary>
internal static class ScenarioRunner
{
    private static readonly TimeSpan s_step = TimeSpan.FromSeconds(30);

    // The load generator runs socket continuations on the epoll thread instead of queueing each to the thread pool:
    // its parsing is tiny, so this saves a thread hop per receive, takes the receive timestamp as soon as the kernel
    // reports the data, and leaves more of the 2 cores to the server. The server keeps the .NET defaults.
    private static readonly Dictionary<string, string> s_clientEnvironment = new()
    {
        ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1",
    };

    public static async Task<ScenarioResult> RunAsync(Scenario scenario, int sourceAddresses, string serverKind)
    {
        Console.Error.WriteLine($"== {scenario.Name}: {scenario.Connections} connections, {scenario.EventsPerSecond} events/s for {scenario.Seconds} s, server {serverKind}");
        await using var server = ChildProcess.Start("server", ["server", "--kind", serverKind]);
        var listening = await server.ExpectAsync("listening", s_step).ConfigureAwait(false);

        server.Send("rss");
        var rssIdle = await server.ExpectAsync("rss", s_step).ConfigureAwait(false);

        await using var clients = ChildProcess.Start("clients",
        [
            "clients", "--port", listening["port"], "--echo-port", listening["echo_port"],
            "--connections", scenario.Connections.ToString(CultureInfo.InvariantCulture),
            "--source-addresses", sourceAddresses.ToString(CultureInfo.InvariantCulture),
        ], s_clientEnvironment);
        var roundTrip = await clients.ExpectAsync("rtt", s_step).ConfigureAwait(false);
        Console.Error.WriteLine($"   round trip: {roundTrip["median_us"]} µs median");
        var connected = await clients.ExpectAsync("connected", TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        Console.Error.WriteLine($"   connected: {connected["open"]} open, {connected["failed"]} failed in {connected["seconds"]} s");

        // Let the connection burst settle (thread pool, socket buffers) before measuring memory and latency.
        await Task.Delay(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        server.Send("rss");
        var rssLoaded = await server.ExpectAsync("rss", s_step).ConfigureAwait(false);

        clients.Send("measure");
        await clients.ExpectAsync("measuring", s_step).ConfigureAwait(false);
        server.Send(string.Create(CultureInfo.InvariantCulture, $"publish {scenario.EventsPerSecond} {scenario.Seconds}"));
        var published = await server.ExpectAsync("published", TimeSpan.FromSeconds(scenario.Seconds) + s_step).ConfigureAwait(false);
        clients.Send($"report {published["count"]}");
        var report = await clients.ExpectAsync("report", s_step).ConfigureAwait(false);
        Console.Error.WriteLine($"   p50 {report.GetValueOrDefault("p50_ms")} ms, p99 {report.GetValueOrDefault("p99_ms")} ms, missing {report["missing"]}");

        return new ScenarioResult(scenario, roundTrip, connected, rssIdle, rssLoaded, published, report);
    }
}
