using TrainInsight.Internal;

namespace TrainInsight.Tests.Storage;

public sealed class MetricPointPagesTests
{
    private static readonly RunDescriptor s_run = new("run-a");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(100_000)]
    public async Task ReadAsync_PagesEndingInsideSteps_StreamsEveryPointOnceInStoreOrder(int pageSize)
    {
        // Steps carry 1 to 3 points, some in two events: pages end inside steps (a page of 1 or 2 is smaller than a step).
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(SteppedEvents(steps: 60));
        var everything = await store.GetMetricsAsync(new MetricQuery("run-a") { Limit = 100_000 });
        var onePointSteps = everything.Where(p => p.Name == "train_loss").ToList();

        var all = await ReadAllAsync(store, new MetricQuery("run-a"), pageSize);
        var trainLoss = await ReadAllAsync(store, new MetricQuery("run-a") { Names = ["train_loss"] }, pageSize);

        if (pageSize >= 3)
        {
            all.Should().Equal(everything);
        }
        else
        {
            // A step with more matching points than a page is cut: its first page's worth, then the next step.
            all.Should().OnlyHaveUniqueItems().And.Subject.Should().BeInAscendingOrder(p => p.Offset);
            all.Select(p => p.Step).Distinct().Should().Equal(Enumerable.Range(1, 60).Select(s => (long)s), "no step is skipped");
        }

        trainLoss.Should().Equal(onePointSteps);
    }

    [Fact]
    public async Task ReadAsync_NamesAndAfterStep_PagesOnlyThosePoints()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(SteppedEvents(steps: 60));

        var points = await ReadAllAsync(store, new MetricQuery("run-a") { Names = ["val_loss", "lr"], AfterStep = 30, Limit = 1 }, pageSize: 4);

        points.Should().Equal(await ReadOverrideAsync(store, new MetricQuery("run-a") { Names = ["val_loss", "lr"], AfterStep = 30 }));
        points.Should().HaveCount(15 + 10);
    }

    [Fact]
    public async Task ReadAsync_StepsThatWentBack_ReturnEachPointAtMostOnceAndEnd()
    {
        // Steps 1-10, then a restarted counter at 5-12: paging by step cannot reach 5-10 again (the documented limit).
        using var store = new InMemoryMetricStore();
        var steps = Enumerable.Range(1, 10).Concat(Enumerable.Range(5, 8)).ToList();
        await store.AppendAsync([.. steps.Select((step, i) => Metric(i + 1, step, new Dictionary<string, double> { ["train_loss"] = i }))]);

        var points = await ReadAllAsync(store, new MetricQuery("run-a"), pageSize: 3);

        points.Should().OnlyHaveUniqueItems().And.Subject.Should().BeInAscendingOrder(p => p.Offset);
        points.Select(p => p.Step).Should().StartWith(Enumerable.Range(1, 10).Select(s => (long)s)).And.EndWith(new[] { 11L, 12L });
    }

    [Fact]
    public async Task ReadAsync_ArgumentsAndCancellation_ThrowWhenAskedAndWhenCancelled()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(SteppedEvents(steps: 30));
        using var cancellation = new CancellationTokenSource();
        var read = 0;

        var midway = async () =>
        {
            await foreach (var point in MetricPointPages.ReadAsync(store, new MetricQuery("run-a"), 5, cancellation.Token))
            {
                if (++read == 1)
                {
                    await cancellation.CancelAsync();
                }
            }
        };

        FluentActions.Invoking(() => MetricPointPages.ReadAsync(store, null!, 5, default)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => MetricPointPages.ReadAsync(store, new MetricQuery("run-a"), 0, default)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => MetricPointPages.ReadAsync(store, new MetricQuery("run-a"), 100_001, default)).Should().Throw<ArgumentOutOfRangeException>();
        await midway.Should().ThrowAsync<OperationCanceledException>();
        read.Should().BeLessThanOrEqualTo(5, "the next page is not read");
    }

    private static async Task<List<MetricPoint>> ReadAllAsync(IMetricStore store, MetricQuery query, int pageSize)
    {
        var points = new List<MetricPoint>();
        await foreach (var point in MetricPointPages.ReadAsync(store, query, pageSize, CancellationToken.None))
        {
            points.Add(point);
        }

        return points;
    }

    private static async Task<List<MetricPoint>> ReadOverrideAsync(InMemoryMetricStore store, MetricQuery query)
    {
        var points = new List<MetricPoint>();
        await foreach (var point in store.ReadMetricsAsync(query))
        {
            points.Add(point);
        }

        return points;
    }

    private static MetricEvent Metric(long offset, long step, Dictionary<string, double> values) =>
        new(s_run, step, values) { Offset = offset, Sequence = offset };

    /// <summary>train_loss every step, lr every 2nd step in the same event, val_loss every 3rd step in an event of its own.</summary>
    private static List<TrainInsightEvent> SteppedEvents(int steps)
    {
        var events = new List<TrainInsightEvent>();
        var offset = 0L;
        for (var step = 1; step <= steps; step++)
        {
            var train = new Dictionary<string, double> { ["train_loss"] = 1.0 / step };
            if (step % 2 == 0)
            {
                train["lr"] = 0.001;
            }

            events.Add(Metric(++offset, step, train));
            if (step % 3 == 0)
            {
                events.Add(Metric(++offset, step, new Dictionary<string, double> { ["val_loss"] = 2.0 / step }));
            }
        }

        return events;
    }
}
