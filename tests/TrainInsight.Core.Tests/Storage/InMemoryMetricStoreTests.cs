using TrainInsight.Testing;

namespace TrainInsight.Tests.Storage;

/// <summary>The store contract against the reference store; the SQLite store runs the same tests.</summary>
public sealed class InMemoryMetricStoreTests : MetricStoreContractTests
{
    protected override IMetricStore CreateStoreCore() => new InMemoryMetricStore();

    [Fact]
    public async Task AppendAsync_BeyondMaxEvents_DropsOldestEventsButKeepsRunSummaries()
    {
        using var store = new InMemoryMetricStore(maxEvents: 3);
        var run = Run("run-a");

        await store.AppendAsync([.. Enumerable.Range(1, 5).Select(i => Metric(run, i, i, i))]);

        (await store.ReadEventsAsync(0, 100)).Select(e => e.Offset).Should().Equal(3, 4, 5);
        (await store.GetRunAsync("run-a"))!.EventCount.Should().Be(5);
    }
}
