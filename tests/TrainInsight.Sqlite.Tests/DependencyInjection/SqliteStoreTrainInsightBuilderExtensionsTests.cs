using Microsoft.Extensions.DependencyInjection;

namespace TrainInsight.Sqlite.Tests.DependencyInjection;

public sealed class SqliteStoreTrainInsightBuilderExtensionsTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void AddSqliteStore_AfterAddTrainInsight_ReplacesTheInMemoryStore()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddSqliteStore(o => o.Path = _directory.File("store.db"));
        using var provider = services.BuildServiceProvider();

        var store = provider.GetRequiredService<IMetricStore>();

        store.Should().BeOfType<SqliteMetricStore>().Which.Path.Should().Be(_directory.File("store.db"));
        provider.GetRequiredService<SqliteMetricStore>().Should().BeSameAs(store);
        services.Count(d => d.ServiceType == typeof(IMetricStore)).Should().Be(1);
    }

    [Fact]
    public void AddSqliteStore_CalledTwice_RegistersOnceAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();
        var builder = services.AddTrainInsight();

        builder.AddSqliteStore(o => o.Path = _directory.File("store.db")).Should().BeSameAs(builder);
        builder.AddSqliteStore(o => o.MaxRuns = 3);
        services.AddTrainInsight();
        using var provider = services.BuildServiceProvider();

        services.Count(d => d.ServiceType == typeof(IMetricStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(SqliteMetricStore)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(SqliteStoreOptions)).Should().Be(1);
        var options = provider.GetRequiredService<SqliteStoreOptions>();
        options.Path.Should().Be(_directory.File("store.db"));
        options.MaxRuns.Should().Be(3);
    }

    [Fact]
    public async Task AddSqliteStore_BusPublishesAndProviderIsDisposed_EventsAreInTheFileAndStoreIsDisposed()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddSqliteStore(o => o.Path = _directory.File("store.db"));
        var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<ITelemetryBus>();
        var store = provider.GetRequiredService<SqliteMetricStore>();
        var run = new RunDescriptor("run-a");
        bus.TryPublish(new MetricEvent(run, 1, null));
        bus.TryPublish(new MetricEvent(run, 2, null));

        provider.Dispose();

        var read = () => store.ReadEventsAsync(0, 10);
        await read.Should().ThrowAsync<ObjectDisposedException>();
        using var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        (await reopened.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(1, 2);
    }

    [Fact]
    public void AddSqliteStore_NullBuilder_Throws()
    {
        var act = () => SqliteStoreTrainInsightBuilderExtensions.AddSqliteStore(null!);

        act.Should().Throw<ArgumentNullException>();
    }
}
