namespace TrainInsight.Tests.Storage;

/// <summary>
/// The store contract against a store that does not override <see cref="IMetricStore.ReadMetricsAsync"/>: the default
/// implementation (paging through <see cref="IMetricStore.GetMetricsAsync"/>) must stream what the stores' own reads do.
/// </summary>
public sealed class DefaultReadMetricsContractTests : MetricStoreContractTests
{
    protected override IMetricStore CreateStoreCore() => new FakeMetricStore();
}
