namespace TrainInsight.Sqlite.Tests.Storage;

/// <summary>The store contract (the reference is <see cref="InMemoryMetricStore"/>) against a real database file.</summary>
public sealed class SqliteMetricStoreContractTests : MetricStoreContractTests
{
    private readonly TempDirectory _directory = new();

    protected override IMetricStore CreateStoreCore() => new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });

    protected override IMetricStore Reopen(IMetricStore store)
    {
        var path = ((SqliteMetricStore)store).Path;
        store.Dispose();
        return new SqliteMetricStore(new SqliteStoreOptions { Path = path });
    }

    protected override void Dispose(bool disposing)
    {
        _directory.Dispose();
        base.Dispose(disposing);
    }
}
