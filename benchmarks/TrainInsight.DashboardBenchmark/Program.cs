// The dashboard's speed, measured in Debian's Chromium (headless) against a real Kestrel host:
//   1. first meaningful chart: a fresh page opening a run of 1,000,002 stored points, until its loss chart is drawn;
//   2. live: 50 points a second appended to the 6 charts for a while: the page's frame times (requestAnimationFrame
//      intervals), the charts' redraw time, and publish -> drawn latency of each newest point.
// Usage: eng/torch-env.sh dotnet run -c Release --project benchmarks/TrainInsight.DashboardBenchmark -- [--store inmemory|sqlite|both]
//        [--loads 5] [--live-seconds 30] [--rate 50]
// (inside eng/torch-env.sh because eng/setup-browser.sh installs Chromium where the tests run.)
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using TrainInsight.DashboardBenchmark;
using TrainInsight.Sqlite;

var settings = Settings.Parse(args);
var chromium = Environment.GetEnvironmentVariable("TRAININSIGHT_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
if (!File.Exists(chromium))
{
    Console.Error.WriteLine($"error: Chromium not found at {chromium}; run eng/setup-browser.sh and run this inside eng/torch-env.sh.");
    return 2;
}

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
{
    ExecutablePath = chromium,
    Headless = true,
    Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});
Console.WriteLine($"Chromium {browser.Version}; {Environment.ProcessorCount} cores; run of {LargeRun.Steps:N0} steps x {LargeRun.Metrics.Length} metrics = {LargeRun.Points:N0} points");
Console.WriteLine();

foreach (var store in settings.Stores)
{
    using var directory = store == "sqlite" ? new TempFolder() : null;
    var sw = Stopwatch.StartNew();
    IMetricStore metricStore = store == "sqlite"
        ? new SqliteMetricStore(new SqliteStoreOptions { Path = Path.Combine(directory!.Path, "store.db") })
        : new InMemoryMetricStore(maxEvents: LargeRun.Steps + 1_000_000);
    await LargeRun.FillAsync(metricStore);
    Console.WriteLine($"[{store}] filled in {sw.Elapsed.TotalSeconds:F1} s");

    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls("http://127.0.0.1:0");
    builder.Logging.ClearProviders();
    builder.Services.AddSingleton(metricStore);
    builder.Services.AddTrainInsight().AddStreaming();
    await using var app = builder.Build();
    app.MapTrainInsight();
    app.MapTrainInsightDashboard("/");
    await app.StartAsync();
    var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

    // 1. First meaningful chart, each time in a fresh context (no cache), after one warm-up load.
    var first = new List<double>();
    var all = new List<double>();
    for (var i = 0; i <= settings.Loads; i++)
    {
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(address);
        await page.WaitForFunctionAsync("() => window.__trainInsight?.state().charts.every(c => c.key === 'gpu_memory' || c.firstDrawMs)", null, new() { Timeout = 60_000 });
        var charts = (await page.EvaluateAsync<JsonElement>("() => window.__trainInsight.state().charts")).EnumerateArray().ToList();
        var loss = charts.Single(c => c.GetProperty("key").GetString() == "loss");
        if (loss.GetProperty("points").GetInt32() < 1_000)
        {
            throw new InvalidOperationException($"The loss chart shows {loss.GetProperty("points").GetInt32()} points; the history did not load.");
        }

        if (i == 1)
        {
            // Where the time goes, once: the page's own files, the run list and the history requests (start and end, from navigation start).
            var entries = await page.EvaluateAsync<JsonElement>("""
                () => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
                  .map(e => ({ name: e.name.replace(location.origin, '').slice(0, 70), start: Math.round(e.startTime), end: Math.round(e.responseEnd) }))
                """);
            foreach (var entry in entries.EnumerateArray())
            {
                Console.WriteLine($"    {entry.GetProperty("start").GetInt32(),5} -> {entry.GetProperty("end").GetInt32(),5} ms  {entry.GetProperty("name").GetString()}");
            }
        }

        if (i > 0)
        {
            first.Add(loss.GetProperty("firstDrawMs").GetDouble());
            all.Add(charts.Where(c => c.GetProperty("firstDrawMs").ValueKind == JsonValueKind.Number).Max(c => c.GetProperty("firstDrawMs").GetDouble()));
        }
    }

    Console.WriteLine($"[{store}] first meaningful chart (loss, from navigation start), {settings.Loads} loads: median {Stats.Median(first):F0} ms, max {first.Max():F0} ms; all charts drawn: median {Stats.Median(all):F0} ms, max {all.Max():F0} ms");

    // 2. Live: the same run goes on at the given rate; the page has its whole history loaded.
    await using (var context = await browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } }))
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(address);
        await page.WaitForFunctionAsync("() => window.__trainInsight?.state().connection === 'live' && window.__trainInsight.state().charts[0].firstDrawMs", null, new() { Timeout = 60_000 });
        await Task.Delay(1_000);
        await page.EvaluateAsync("""
            () => {
              window.__trainInsight.resetTimings();
              window.__frames = [];
              let last = 0;
              const tick = (t) => { if (last) window.__frames.push(t - last); last = t; window.__frameLoop = requestAnimationFrame(tick); };
              window.__frameLoop = requestAnimationFrame(tick);
            }
            """);
        // The same page with nothing arriving: what this machine's headless Chromium gives as frame times anyway.
        await Task.Delay(TimeSpan.FromSeconds(Math.Min(10, settings.LiveSeconds)));
        var idle = await page.EvaluateAsync<double[]>("() => { const f = window.__frames; window.__frames = []; return f; }");
        await page.EvaluateAsync("() => window.__trainInsight.resetTimings()");
        Console.WriteLine($"[{store}] idle page, no events ({idle.Length} frames): frame time p50 {Stats.Percentile(idle, 50):F1} ms, p95 {Stats.Percentile(idle, 95):F1} ms, max {idle.Max():F1} ms");
        var bus = app.Services.GetRequiredService<ITelemetryBus>();
        var published = await LargeRun.PublishLiveAsync(bus, settings.Rate, TimeSpan.FromSeconds(settings.LiveSeconds));
        await Task.Delay(500);
        var frames = await page.EvaluateAsync<double[]>("() => { cancelAnimationFrame(window.__frameLoop); return window.__frames; }");
        var timings = await page.EvaluateAsync<JsonElement>("() => window.__trainInsight.timings()");
        var draw = timings.GetProperty("drawMs").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var latency = timings.GetProperty("latencyMs").EnumerateArray().Select(e => e.GetDouble()).ToList();
        var points = (await page.EvaluateAsync<JsonElement>("() => window.__trainInsight.state().charts")).EnumerateArray().Select(ch => ch.GetProperty("points").GetInt32()).ToList();
        Console.WriteLine($"[{store}] live {settings.Rate}/s for {settings.LiveSeconds} s ({published} events x {LargeRun.Metrics.Length} metrics to 6 charts; charts hold {string.Join("/", points)} steps):");
        Console.WriteLine($"    frame time (rAF interval, {frames.Length} frames): p50 {Stats.Percentile(frames, 50):F1} ms, p95 {Stats.Percentile(frames, 95):F1} ms, p99 {Stats.Percentile(frames, 99):F1} ms, max {frames.Max():F1} ms");
        Console.WriteLine($"    chart redraw (script, {draw.Count} redraws of all changed charts): p50 {Stats.Percentile(draw, 50):F2} ms, p95 {Stats.Percentile(draw, 95):F2} ms, max {draw.Max():F2} ms");
        Console.WriteLine($"    publish -> drawn ({latency.Count} points): p50 {Stats.Percentile(latency, 50):F0} ms, p95 {Stats.Percentile(latency, 95):F0} ms, p99 {Stats.Percentile(latency, 99):F0} ms, max {latency.Max():F0} ms");
    }

    await app.StopAsync();
    metricStore.Dispose();
    Console.WriteLine();
}

return 0;

namespace TrainInsight.DashboardBenchmark
{
    internal sealed record Settings(string[] Stores, int Loads, int LiveSeconds, int Rate)
    {
        public static Settings Parse(string[] args)
        {
            string Get(string name, string fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
            var store = Get("--store", "both");
            return new Settings(
                store == "both" ? ["inmemory", "sqlite"] : [store],
                int.Parse(Get("--loads", "5"), CultureInfo.InvariantCulture),
                int.Parse(Get("--live-seconds", "30"), CultureInfo.InvariantCulture),
                int.Parse(Get("--rate", "50"), CultureInfo.InvariantCulture));
        }
    }

    internal static class Stats
    {
        public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

        public static double Percentile(IReadOnlyList<double> values, double p)
        {
            if (values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = values.Order().ToArray();
            var rank = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
            return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
        }
    }

    internal sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("traininsight-dashboard-bench-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
