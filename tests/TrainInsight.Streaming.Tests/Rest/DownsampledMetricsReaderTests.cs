using TrainInsight.Streaming.Rest;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class DownsampledMetricsReaderTests
{
    [Fact]
    public async Task ReadAsync_FewerPointsThanMaxPoints_FeedsEveryPointOnceInStoreOrder()
    {
        // Steps carry 1 to 3 points, some in two events.
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(SteppedEvents(steps: 60));
        var everything = await store.GetMetricsAsync(new MetricQuery("run-a") { Limit = 100_000 });

        var result = await DownsampledMetricsReader.ReadAsync(store, "run-a", null, null, 1_000, 60, CancellationToken.None);

        result.Points.Should().Equal(everything);
        result.SourcePoints.Should().Be(everything.Count);
        result.Downsampled.Should().BeFalse();
    }

    [Fact]
    public async Task ReadAsync_NamesAndSince_ReadsOnlyThosePoints()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(SteppedEvents(steps: 60));

        var result = await DownsampledMetricsReader.ReadAsync(store, "run-a", ["val_loss"], 30, 1_000, 60, CancellationToken.None);

        result.Points.Should().NotBeEmpty().And.OnlyContain(p => p.Name == "val_loss" && p.Step > 30);
        result.Points.Select(p => p.Step).Should().Equal(Enumerable.Range(31, 30).Where(s => s % 3 == 0).Select(s => (long)s));
        result.SourcePoints.Should().Be(10);
    }

    [Fact]
    public async Task ReadAsync_ManyPoints_DownsamplesEachName()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(SteppedEvents(steps: 3_000));

        var result = await DownsampledMetricsReader.ReadAsync(store, "run-a", null, null, 50, 3_000, CancellationToken.None);

        result.SourcePoints.Should().Be(3_000 + 1_500 + 1_000);
        result.Downsampled.Should().BeTrue();
        result.Points.GroupBy(p => p.Name).Should().HaveCount(3).And.OnlyContain(g => g.Count() <= 50);
        result.Points.Should().Contain(p => p.Name == "train_loss" && double.IsNaN(p.Value), "step 1,234's NaN survives");
    }

    [Fact]
    public async Task ReadAsync_UnknownRun_IsEmpty()
    {
        using var store = new InMemoryMetricStore();

        var result = await DownsampledMetricsReader.ReadAsync(store, "run-z", null, null, 10, null, CancellationToken.None);

        result.Points.Should().BeEmpty();
        result.SourcePoints.Should().Be(0);
    }

    /// <summary>
    /// train_loss every step (NaN at 1,234), lr every 2nd step in the same event, val_loss every 3rd step in an event of its own.
    /// </summary>
    private static List<TrainInsightEvent> SteppedEvents(int steps)
    {
        var run = Run("run-a");
        var events = new List<TrainInsightEvent>();
        var offset = 0L;
        for (var step = 1; step <= steps; step++)
        {
            var train = new Dictionary<string, double> { ["train_loss"] = step == 1_234 ? double.NaN : 1.0 / step };
            if (step % 2 == 0)
            {
                train["lr"] = 0.001;
            }

            offset++;
            events.Add(new MetricEvent(run, step, train) { Offset = offset, Sequence = offset });
            if (step % 3 == 0)
            {
                offset++;
                events.Add(new MetricEvent(run, step, new Dictionary<string, double> { ["val_loss"] = 2.0 / step }) { Offset = offset, Sequence = offset });
            }
        }

        return events;
    }
}
