using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using static TrainInsight.LoadTests.Runner.ScenarioResult;

namespace TrainInsight.LoadTests.Runner;

/// <summary>The measured numbers of one run as Markdown: machine, measurements per scenario, goals met or not.</summary>
internal static class MarkdownReport
{
    public static string Format(IReadOnlyList<ScenarioResult> results, string serverKind, string command, string loadBefore)
    {
        var text = new StringBuilder();
        void Line(string line) => text.Append(line).Append('\n');

        Line($"- Machine: {Machine()}; load average before the run: {loadBefore}.");
        Line($"- Load average after: {LoadAverage()}.");
        Line($"- Command, from the repository root: `{command}`");
        Line(serverKind == "raw"
            ? "- Server under test: **raw** (the floor: a blocking socket listener and one thread that sends each event's prebuilt chunked SSE frame to every socket with synchronous `Socket.Send`; no Kestrel, no TrainInsight)."
            : "- Server under test: **traininsight** (Kestrel + `MapTrainInsight()`).");
        Line("");
        Line("| Measured | " + string.Join(" | ", results.Select(r => $"{r.Scenario.Name}: {r.Scenario.Title}")) + " |");
        Line("|---|" + string.Concat(results.Select(_ => "---:|")));
        void Row(string name, Func<ScenarioResult, string> value) => Line($"| {name} | {string.Join(" | ", results.Select(value))} |");

        Row("SSE connections open / requested", r => $"{F(r.OpenConnections)} / {r.Scenario.Connections:N0} (connect {r.Connected["seconds"]} s, {r.Connected["failed"]} failed)");
        Row("Events published", r => $"{r.Published["count"]} ({r.Scenario.EventsPerSecond:G}/s for {r.Scenario.Seconds:G} s)");
        Row("Deliveries expected / received", r => $"{F(Number(r.Clients, "expected"))} / {F(Number(r.Clients, "received"))}");
        Row("Missing deliveries; id gaps; server drops", r => $"{F(Number(r.Clients, "missing"))}; {r.Clients["gaps"]}; {r.Published["dropped_at_subscribers"]}");
        Row("Latency p50 / p90 / p99 (ms)", r => $"{r.Clients.GetValueOrDefault("p50_ms")} / {r.Clients.GetValueOrDefault("p90_ms")} / {r.Clients.GetValueOrDefault("p99_ms")}");
        Row("Latency max / mean (ms)", r => $"{r.Clients.GetValueOrDefault("max_ms")} / {r.Clients.GetValueOrDefault("mean_ms")}");
        Row("Loopback TCP round trip, median / p99 (µs)", r => $"{r.RoundTrip["median_us"]} / {r.RoundTrip["p99_us"]}");
        Row("p50 latency / round-trip median", r => $"{r.P50Ms * 1000 / r.RoundTripUs:F1}×");
        Row("Server CPU, % of one core (2 cores)", r => $"{r.Published["cpu_percent"]} % ({r.Published["cpu_seconds"]} s, of which kernel {r.Published["system_seconds"]} s)");
        Row("Load generator CPU, % of one core", r => $"{r.Clients["cpu_percent"]} % ({r.Clients["cpu_seconds"]} s, of which kernel {r.Clients["system_seconds"]} s)");
        Row("Server CPU per delivery", r => $"{1e6 * Number(r.Published, "cpu_seconds") / Number(r.Clients, "received"):F1} µs");
        Row("Whole machine busy, % of one core (max 200 %)", r => $"{r.Published["machine_cpu_percent"]} % (other processes ≈ {Number(r.Published, "machine_cpu_percent") - Number(r.Published, "cpu_percent") - Number(r.Clients, "cpu_percent"):F0} %, steal {r.Published["steal_percent"]} %)");
        Row("Server RSS: idle / with connections (MiB)", r => $"{Number(r.RssIdle, "bytes") / 1048576:F1} / {Number(r.RssLoaded, "bytes") / 1048576:F1}");
        Row("Server RSS per connection", r => $"{r.RssPerConnectionBytes / 1024:F1} KiB ({F(r.RssPerConnectionBytes)} B)");
        Row("Server allocated per delivery", r => $"{Number(r.Published, "allocated_bytes") / Number(r.Clients, "received"):F0} B");
        Row("Server GCs gen0/1/2 in window", r => r.Published["gc_0_1_2"]);
        Row("Server CPU by thread", r => Threads(r.Published));
        Row("Load generator CPU by thread", r => Threads(r.Clients));
        Line("");
        Line("| Goal | Target | Measured | Met? |");
        Line("|---|---|---:|---|");
        foreach (var r in results)
        {
            var name = r.Scenario.Name;
            if (name == "P3")
            {
                Goal($"{name} p99 latency", "≤ 10 ms", $"{r.P99Ms:F2} ms", r.P99Ms <= 10);
                var ratio = r.P50Ms * 1000 / r.RoundTripUs;
                Goal($"{name} p50 latency", "≤ 20 × round trip", $"{ratio:F1}× ({r.P50Ms:F3} ms vs {r.RoundTripUs:F1} µs)", ratio <= 20);
            }
            else
            {
                Goal($"{name} p99 latency", "≤ 50 ms", $"{r.P99Ms:F2} ms", r.P99Ms <= 50);
                Goal($"{name} server RSS per connection", "≤ 32 KB", $"{r.RssPerConnectionBytes / 1000:F1} KB", r.RssPerConnectionBytes <= 32_000);
            }

            var complete = Number(r.Clients, "missing") == 0 && r.OpenConnections >= r.Scenario.Connections;
            Goal($"{name} every event to every client", $"{r.Scenario.Connections:N0} clients, 0 missing", $"{F(r.OpenConnections)} open, {r.Clients["missing"]} missing", complete);
        }

        return text.ToString();

        void Goal(string goal, string target, string measured, bool met) =>
            Line($"| {goal} | {target} | {measured} | {(met ? "yes" : "**no**")} |");
    }

    private static string F(double value) => double.IsNaN(value) ? "n/a" : value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Threads(Dictionary<string, string> values) =>
        values.GetValueOrDefault("threads", "-").Replace("_", " ", StringComparison.Ordinal).Replace(",", "; ", StringComparison.Ordinal);

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static string Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
        var os = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))?.Split('=')[1].Trim('"') ?? "?";
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        return $"{Environment.ProcessorCount} cores ({cpu}), {os}, kernel {kernel}, {RuntimeInformation.FrameworkDescription}, workstation GC";
    }
}
