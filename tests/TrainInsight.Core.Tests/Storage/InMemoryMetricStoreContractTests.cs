namespace TrainInsight.Tests.Storage;

/// <summary>The store contract (tests/Shared/MetricStoreContractTests.cs) against the reference store; the SQLite store runs the same tests.</summary>
public sealed class InMemoryMetricStoreContractTests : MetricStoreContractTests
{
    protected override IMetricStore CreateStoreCore() => new InMemoryMetricStore();
}
