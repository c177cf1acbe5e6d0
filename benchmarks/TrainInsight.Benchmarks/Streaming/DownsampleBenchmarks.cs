// Latest results (one run, shared 2-core VM, another engineer's work running alongside; see docs/benchmarks.md):
//
// BenchmarkDotNet v0.15.8, Linux Debian GNU/Linux 13 (trixie)
// AMD EPYC 2.45GHz, 1 CPU, 2 logical and 2 physical cores
// .NET SDK 10.0.401, .NET 10.0.12, X64 RyuJIT x86-64-v3
// InvocationCount=1  IterationCount=5  LaunchCount=1  UnrollFactor=1  WarmupCount=2
//
// | Method                   | Store    | Mean       | Error       | StdDev    | Ratio | Allocated | Alloc Ratio |
// |------------------------- |--------- |-----------:|------------:|----------:|------:|----------:|------------:|
// | StoreReadOnly            | InMemory |   340.4 ms |    30.75 ms |   7.99 ms |  1.00 |  232.5 MB |        1.00 |
// | DashboardFirstRequest    | InMemory |   369.0 ms |   245.75 ms |  63.82 ms |  1.08 | 241.34 MB |        1.04 |
// | PagedWithoutDownsampling | InMemory | 2,123.9 ms |   712.20 ms | 184.96 ms |  6.24 | 307.37 MB |        1.32 |
// | StoreReadOnly            | Sqlite   | 2,643.5 ms | 1,594.00 ms | 413.96 ms |  1.02 | 205.87 MB |        1.00 |
// | DashboardFirstRequest    | Sqlite   | 2,742.5 ms | 1,497.70 ms | 231.77 ms |  1.06 | 214.71 MB |        1.04 |
// | PagedWithoutDownsampling | Sqlite   | 5,168.3 ms | 1,559.40 ms | 404.97 ms |  2.00 | 276.62 MB |        1.34 |
//
// The request costs what reading the points from the store costs (Ratio 1.04 to 1.08): on SQLite that is above the
// 500 ms goal, see docs/benchmarks.md.

using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrainInsight.Sqlite;

namespace TrainInsight.Benchmarks.Streaming;

/// <summary>
/// A dashboard's first chart request: <c>GET /api/runs/{id}/metrics?names=…&amp;max_points=2000</c> for a run of
/// 1,000,002 stored points (6 metrics × 166,667 steps) on a real Kestrel server on 127.0.0.1, from the in-memory store and
/// from the SQLite store. One operation is one whole request, response body read. The baseline reads the same points
/// straight from the store in 100,000-point pages, in process, keeping nothing: the floor any full-range answer pays
/// before downsampling and HTTP. <see cref="PagedWithoutDownsampling"/> is what the dashboard would otherwise do: page
/// through every point with <c>limit=100000</c> and <c>next_since</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5, invocationCount: 1)]
public class DownsampleBenchmarks
{
    private const string RunId = "dashboard-run";
    private const int Steps = 166_667;
    private const int MaxPoints = 2_000;

    // What the dashboard asks for; the run reported six of them.
    private static readonly string[] s_requested =
    [
        MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy,
        MetricNames.LearningRate, MetricNames.SamplesPerSecond, MetricNames.GradientNorm, MetricNames.GpuMemoryUsed,
    ];

    private static readonly string s_names = string.Join(',', s_requested);

    private string? _directory;
    private IMetricStore _store = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;

    /// <summary>Gets or sets the store the server reads: InMemory or Sqlite.</summary>
    [Params("InMemory", "Sqlite")]
    public string Store { get; set; } = "InMemory";

    [GlobalSetup]
    public void Setup()
    {
        if (Store == "Sqlite")
        {
            _directory = Directory.CreateTempSubdirectory("traininsight-downsample-").FullName;
            _store = new SqliteMetricStore(new SqliteStoreOptions { Path = Path.Combine(_directory, "store.db") });
        }
        else
        {
            _store = new InMemoryMetricStore(maxEvents: Steps);
        }

        Fill(_store);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(_store);
        builder.Services.AddTrainInsight().AddStreaming();
        _app = builder.Build();
        _app.MapTrainInsight();
        _app.StartAsync().GetAwaiter().GetResult();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _http = new HttpClient { BaseAddress = new Uri(address), Timeout = Timeout.InfiniteTimeSpan };

        // What is measured must be what the dashboard gets: every metric, at most MaxPoints each, from every stored point.
        using var check = JsonDocument.Parse(DashboardFirstRequest().GetAwaiter().GetResult());
        var source = check.RootElement.GetProperty("source_points").GetInt64();
        var perName = check.RootElement.GetProperty("points").EnumerateArray().GroupBy(p => p.GetProperty("name").GetString()).ToList();
        if (source != 6L * Steps || perName.Count != 6 || perName.Any(g => g.Count() > MaxPoints || g.Count() < MaxPoints / 2))
        {
            throw new InvalidOperationException($"Unexpected response: {source} source points, {perName.Count} names.");
        }

        Console.WriteLine($"// {Store}: {perName.Sum(g => g.Count()):N0} points returned of {source:N0}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.Dispose();
        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Baseline: every matching point read from the store, 100,000 a call, in process; nothing kept.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> StoreReadOnly()
    {
        long count = 0;
        long? after = null;
        while (true)
        {
            var page = await _store.GetMetricsAsync(new MetricQuery(RunId) { Names = s_requested, AfterStep = after, Limit = 100_000 });
            count += page.Count;
            if (page.Count < 100_000)
            {
                return count;
            }

            // Whole steps only, as the endpoint pages: 100,000 is no multiple of 6, so the last step is cut; the steps
            // are consecutive, so the next page starts at it.
            var last = page[^1].Step;
            count -= page.Count(p => p.Step == last);
            after = last - 1;
        }
    }

    /// <summary>The dashboard's first request: the whole run, downsampled to 2,000 points per metric.</summary>
    [Benchmark]
    public Task<string> DashboardFirstRequest() =>
        _http.GetStringAsync($"/api/runs/{RunId}/metrics?names={s_names}&max_points={MaxPoints}");

    /// <summary>Without max_points: every point, 100,000 a page, following next_since.</summary>
    [Benchmark]
    public async Task<long> PagedWithoutDownsampling()
    {
        long count = 0;
        var path = $"/api/runs/{RunId}/metrics?names={s_names}&limit=100000";
        var next = path;
        while (true)
        {
            await using var body = await _http.GetStreamAsync(next);
            using var page = await JsonDocument.ParseAsync(body);
            count += page.RootElement.GetProperty("points").GetArrayLength();
            if (!page.RootElement.TryGetProperty("next_since", out var since))
            {
                return count;
            }

            next = $"{path}&since={since.GetInt64()}";
        }
    }

    /// <summary>The run: one event per step with six metrics, a loss spike and a NaN; appended in store-writer sized batches.</summary>
    private static void Fill(IMetricStore store)
    {
        var run = new RunDescriptor(RunId) { Name = "dashboard" };
        var random = new Random(42);
        var batch = new List<TrainInsightEvent>(1_000);
        for (var step = 1; step <= Steps; step++)
        {
            var loss = (2.3 * Math.Exp(-step / 40_000.0)) + (0.05 * random.NextDouble());
            var values = new Dictionary<string, double>(6)
            {
                [MetricNames.TrainLoss] = step == 120_000 ? double.NaN : step == 80_000 ? 50 : loss,
                [MetricNames.ValLoss] = loss * 1.1,
                [MetricNames.TrainAccuracy] = 1 - (loss / 2.5),
                [MetricNames.ValAccuracy] = 1 - (loss / 2.4),
                [MetricNames.LearningRate] = 0.001 * Math.Cos(step * Math.PI / (2.0 * Steps)),
                [MetricNames.GradientNorm] = 1 + random.NextDouble(),
            };
            batch.Add(new MetricEvent(run, step, values) { Sequence = step, Offset = step });
            if (batch.Count == batch.Capacity || step == Steps)
            {
                store.AppendAsync(batch).GetAwaiter().GetResult();
                batch = new List<TrainInsightEvent>(1_000);
            }
        }
    }
}
