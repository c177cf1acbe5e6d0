// Latest results (one run, shared 2-core VM under other work: load average 3 to 4; see docs/benchmarks.md):
//
// BenchmarkDotNet v0.15.8, Linux Debian GNU/Linux 13 (trixie)
// AMD EPYC 2.45GHz, 1 CPU, 2 logical and 2 physical cores
// .NET SDK 10.0.401, .NET 10.0.12, X64 RyuJIT x86-64-v3
// InvocationCount=1  IterationCount=5  LaunchCount=1  UnrollFactor=1  WarmupCount=2
//
// | Method                   | Store    | Mean       | Error       | StdDev    | Ratio | Allocated | Alloc Ratio |
// |------------------------- |--------- |-----------:|------------:|----------:|------:|----------:|------------:|
// | StoreReadOnly            | InMemory |   106.6 ms |    81.09 ms |  21.06 ms |  1.04 |  10.18 MB |        1.00 |
// | LossChartRequest         | InMemory |   133.0 ms |   112.79 ms |  17.45 ms |  1.30 |  12.93 MB |        1.27 |
// | AllChartsRequest         | InMemory |   306.9 ms |   324.07 ms |  84.16 ms |  2.99 |  21.01 MB |        2.06 |
// | PagedWithoutDownsampling | InMemory | 2,451.1 ms |   797.31 ms | 207.06 ms | 23.90 | 319.38 MB |       31.39 |
// | StoreReadOnly            | Sqlite   | 2,135.4 ms | 1,592.55 ms | 413.58 ms |  1.03 |  15.08 KB |        1.00 |
// | LossChartRequest         | Sqlite   |   703.6 ms |   500.82 ms | 130.06 ms |  0.34 |   2.77 MB |      187.92 |
// | AllChartsRequest         | Sqlite   | 2,171.3 ms |   293.36 ms |  45.40 ms |  1.05 |   9.10 MB |      617.90 |
// | PagedWithoutDownsampling | Sqlite   | 4,795.0 ms | 1,211.21 ms | 314.55 ms |  2.31 | 276.71 MB |   18,792.25 |
//
// The store now streams each run once (IMetricStore.ReadMetricsAsync) and SQLite reads only the asked metrics' rows
// (schema 7's index): the loss chart reads 333,334 rows, not 1,000,002. On SQLite the cost is then per row read
// (about 2 µs under this load), above the 400 ms goal for the loss chart.

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
/// A dashboard's chart requests, <c>GET /api/runs/{id}/metrics?names=…&amp;max_points=2000</c>, for a run of 1,000,002
/// stored points (6 metrics × 166,667 steps) on a real Kestrel server on 127.0.0.1, from the in-memory store and from the
/// SQLite store: the loss chart first (<see cref="LossChartRequest"/>, 2 metrics), then every chart
/// (<see cref="AllChartsRequest"/>, 8 names asked, 6 stored). One operation is one whole request, response body read.
/// The baseline streams the same points as the 8-name request straight from the store
/// (<see cref="IMetricStore.ReadMetricsAsync"/>), in process, keeping nothing: the floor any full-range answer pays
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

    // The loss chart, which the dashboard asks for first.
    private static readonly string s_lossNames = string.Join(',', MetricNames.TrainLoss, MetricNames.ValLoss);

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
        using var check = JsonDocument.Parse(AllChartsRequest().GetAwaiter().GetResult());
        var source = check.RootElement.GetProperty("source_points").GetInt64();
        var perName = check.RootElement.GetProperty("points").EnumerateArray().GroupBy(p => p.GetProperty("name").GetString()).ToList();
        if (source != 6L * Steps || perName.Count != 6 || perName.Any(g => g.Count() > MaxPoints || g.Count() < MaxPoints / 2))
        {
            throw new InvalidOperationException($"Unexpected response: {source} source points, {perName.Count} names.");
        }

        Console.WriteLine($"// {Store}: {perName.Sum(g => g.Count()):N0} points returned of {source:N0}");
        using var loss = JsonDocument.Parse(LossChartRequest().GetAwaiter().GetResult());
        var lossSource = loss.RootElement.GetProperty("source_points").GetInt64();
        var lossPerName = loss.RootElement.GetProperty("points").EnumerateArray().GroupBy(p => p.GetProperty("name").GetString()).ToList();
        if (lossSource != 2L * Steps || lossPerName.Count != 2 || lossPerName.Any(g => g.Count() > MaxPoints || g.Count() < MaxPoints / 2))
        {
            throw new InvalidOperationException($"Unexpected loss chart response: {lossSource} source points, {lossPerName.Count} names.");
        }

        Console.WriteLine($"// {Store}: loss chart {lossPerName.Sum(g => g.Count()):N0} points returned of {lossSource:N0}");
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

    /// <summary>Baseline: every point the 8-name request reads, streamed from the store in process; nothing kept.</summary>
    [Benchmark(Baseline = true)]
    public async Task<long> StoreReadOnly()
    {
        long count = 0;
        await foreach (var point in _store.ReadMetricsAsync(new MetricQuery(RunId) { Names = s_requested }))
        {
            count += point.Step > 0 ? 1 : 0;
        }

        return count;
    }

    /// <summary>The dashboard's first request: the loss chart (train and validation loss) over the whole run, 2,000 points each.</summary>
    [Benchmark]
    public Task<string> LossChartRequest() =>
        _http.GetStringAsync($"/api/runs/{RunId}/metrics?names={s_lossNames}&max_points={MaxPoints}");

    /// <summary>Every chart in one request: the whole run, 8 names asked (6 stored), downsampled to 2,000 points per metric.</summary>
    [Benchmark]
    public Task<string> AllChartsRequest() =>
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
