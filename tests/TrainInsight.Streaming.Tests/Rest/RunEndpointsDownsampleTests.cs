using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Rest;

/// <summary>GET /api/runs/{id}/metrics?max_points=N: the downsampled whole range, over real Kestrel.</summary>
public sealed class RunEndpointsDownsampleTests
{
    private const int Steps = 60_000;
    private static readonly Action<TrainInsightOptions> s_fastStore = o => o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task Metrics_MaxPoints_ReturnsAtMostThatManyPerNameOverTheWholeRun()
    {
        // 120,000 points: more than one store read (100,000), so the endpoint pages internally.
        await using var server = await StartAsync(await LargeRunAsync());

        var json = await GetJsonAsync(server, "api/runs/run-big/metrics?max_points=500");

        json.EnumerateObject().Select(p => p.Name).Should().Equal("run_id", "points", "downsampled", "source_points");
        json.GetProperty("downsampled").GetBoolean().Should().BeTrue();
        json.GetProperty("source_points").GetInt64().Should().Be(2 * Steps);
        var points = json.GetProperty("points").EnumerateArray().ToList();
        points[0].EnumerateObject().Select(p => p.Name).Should().Equal("name", "step", "value", "timestamp", "sequence", "offset");
        points.Select(p => (p.GetProperty("offset").GetInt64(), p.GetProperty("name").GetString()))
            .Should().BeInAscendingOrder(Comparer<(long, string?)>.Create((x, y) => x.Item1 != y.Item1 ? x.Item1.CompareTo(y.Item1) : string.CompareOrdinal(x.Item2, y.Item2)));
        foreach (var name in new[] { MetricNames.TrainLoss, MetricNames.ValLoss })
        {
            var steps = points.Where(p => p.GetProperty("name").GetString() == name).Select(p => p.GetProperty("step").GetInt64()).ToList();
            steps.Should().HaveCountLessThanOrEqualTo(500).And.HaveCountGreaterThan(250);
            steps[0].Should().Be(1);
            steps[^1].Should().Be(Steps);
        }

        var train = points.Where(p => p.GetProperty("name").GetString() == MetricNames.TrainLoss).ToList();
        train.Should().Contain(p => p.GetProperty("step").GetInt64() == 33_333 && p.GetProperty("value").ValueKind == JsonValueKind.Number && p.GetProperty("value").GetDouble() == 1e6, "the spike survives");
        train.Should().Contain(p => p.GetProperty("step").GetInt64() == 45_678 && p.GetProperty("value").GetString() == "NaN", "the NaN survives");
    }

    [Fact]
    public async Task Metrics_MaxPointsWithNamesAndSince_DownsamplesOnlyThoseLaterPoints()
    {
        await using var server = await StartAsync(await LargeRunAsync());

        var json = await GetJsonAsync(server, "api/runs/run-big/metrics?names=val_loss&since=50000&max_points=100");

        json.GetProperty("source_points").GetInt64().Should().Be(Steps - 50_000);
        json.GetProperty("downsampled").GetBoolean().Should().BeTrue();
        var points = json.GetProperty("points").EnumerateArray().ToList();
        points.Should().HaveCountLessThanOrEqualTo(100).And.OnlyContain(p => p.GetProperty("name").GetString() == MetricNames.ValLoss);
        points.Select(p => p.GetProperty("step").GetInt64()).Should().OnlyContain(s => s > 50_000).And.StartWith(50_001).And.EndWith(Steps);
    }

    [Fact]
    public async Task Metrics_MaxPointsAboveThePointCount_ReturnsEveryPointNotDownsampled()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var events = new[]
        {
            Metric(run, 1, (MetricNames.TrainLoss, 2.0), (MetricNames.LearningRate, 0.1)),
            Metric(run, 2, (MetricNames.TrainLoss, double.NaN)),
            Metric(run, 3, (MetricNames.TrainLoss, 1.0)),
        };
        await server.PublishAsync(events);
        await server.WaitForStoreAsync(events[^1]);

        var paged = await GetJsonAsync(server, "api/runs/run-a/metrics");
        var json = await GetJsonAsync(server, "api/runs/run-a/metrics?max_points=3");

        json.GetProperty("points").GetRawText().Should().Be(paged.GetProperty("points").GetRawText());
        json.GetProperty("downsampled").GetBoolean().Should().BeFalse();
        json.GetProperty("source_points").GetInt64().Should().Be(4);
        json.TryGetProperty("next_since", out _).Should().BeFalse();
        paged.TryGetProperty("downsampled", out _).Should().BeFalse("only a downsampled read says so");
        paged.TryGetProperty("source_points", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Metrics_MaxPointsUnknownRun_Returns404Problem()
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("api/runs/run-z/metrics?max_points=10");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("Unknown run");
    }

    [Theory]
    [InlineData("max_points=1", "max_points must be one integer from 2 to 100,000, not '1'.")]
    [InlineData("max_points=100001", "max_points must be one integer from 2 to 100,000")]
    [InlineData("max_points=-5", "max_points must be one integer from 2 to 100,000")]
    [InlineData("max_points=2.5", "max_points must be one integer from 2 to 100,000")]
    [InlineData("max_points=many", "max_points must be one integer from 2 to 100,000")]
    [InlineData("max_points=", "max_points must be one integer from 2 to 100,000")]
    [InlineData("max_points=10&max_points=20", "max_points must be one integer from 2 to 100,000")]
    [InlineData("max_points=10&limit=20", "max_points cannot be combined with limit")]
    [InlineData("limit=20&max_points=2000", "max_points cannot be combined with limit")]
    public async Task Metrics_InvalidMaxPoints_Returns400NamingMaxPoints(string query, string detail)
    {
        await using var server = await StartAsync();
        var last = Loss(Run("run-a"), 1);
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        using var response = await server.Client.GetAsync("api/runs/run-a/metrics?" + query);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Invalid max_points");
        problem.GetProperty("detail").GetString().Should().StartWith(detail);
    }

    /// <summary>
    /// run-big: <see cref="Steps"/> events of train_loss and val_loss (120,000 points), with a train_loss spike at step
    /// 33,333 and a NaN at 45,678, written to the store directly as a restarted server would find them.
    /// </summary>
    private static async Task<InMemoryMetricStore> LargeRunAsync()
    {
        var run = Run("run-big");
        var store = new InMemoryMetricStore(maxEvents: Steps);
        var events = new List<TrainInsightEvent>(Steps);
        for (var step = 1; step <= Steps; step++)
        {
            var train = step switch { 33_333 => 1e6, 45_678 => double.NaN, _ => 2.0 / (1 + (step / 1_000.0)) + (0.01 * Math.Sin(step)) };
            events.Add(new MetricEvent(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = train, [MetricNames.ValLoss] = 3.0 / step })
            {
                Sequence = step,
                Offset = step,
            });
        }

        await store.AppendAsync(events);
        return store;
    }

    private static Task<StreamingTestServer> StartAsync(IMetricStore? store = null) =>
        StreamingTestServer.StartAsync(
            configureBus: s_fastStore,
            configureServices: store is null ? null : services => services.AddSingleton(store));

    private static async Task<JsonElement> GetJsonAsync(StreamingTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return await ResponseAssertions.ReadJsonAsync(response);
    }
}
