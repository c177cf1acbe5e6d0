using Microsoft.Data.Sqlite;
using TrainInsight.Sqlite.Internal;
using static TrainInsight.Testing.MetricStoreContractTests;

namespace TrainInsight.Sqlite.Tests.Storage;

/// <summary>How the SQLite store streams metric points (the behaviour every store shares is in the contract tests).</summary>
public sealed class SqliteMetricStoreMetricReadTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Constructor_VersionSixFile_MigratesKeepingOldDataAndAddsTheNameIndex()
    {
        // A version-6 file is today's without ix_metric_points_name: version 7 added only that index.
        var path = _directory.File("v6.db");
        var run = Run("run-old");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            await store.AppendAsync([Metric(run, 1, 1, 1), Metric(run, 2, 2, 2, new Dictionary<string, double> { ["val_loss"] = double.NaN })]);
        }

        using (var connection = OpenRaw(path))
        {
            Execute(connection, "DROP INDEX ix_metric_points_name; PRAGMA user_version = 6;");
        }

        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            store.IsDegraded.Should().BeFalse();
            store.LoadState().LastOffset.Should().Be(2);
            (await ReadAllAsync(store, new MetricQuery("run-old") { Names = ["val_loss", MetricNames.TrainLoss] })).Select(p => (p.Offset, p.Name)).Should().Equal(
                (1, MetricNames.TrainLoss), (2, "val_loss"));
            await store.AppendAsync([Metric(run, 3, 3, 3)]);
            (await ReadAllAsync(store, new MetricQuery("run-old") { Names = [MetricNames.TrainLoss] })).Select(p => p.Offset).Should().Equal(1, 3);
        }

        using var raw = OpenRaw(path);
        Scalar(raw, "PRAGMA user_version;").Should().Be(7L);
        Scalar(raw, "SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = 'ix_metric_points_name';").Should()
            .Be("CREATE INDEX ix_metric_points_name ON metric_points (run_key, name, event_offset, step, value, value_bits, sequence, timestamp)");
        Scalar(raw, "SELECT count(*) FROM metric_points INDEXED BY ix_metric_points_name WHERE run_key = 1 AND name = 'train_loss';").Should().Be(2L, "the index holds the old rows too");
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(8, false)]
    public void StreamMetricsSql_SomeNames_ReadsOnlyTheirRowsFromTheCoveringIndexWithoutSorting(int names, bool afterStep)
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("plan.db") });
        using var connection = OpenRaw(store.Path);
        var sql = SqliteReads.StreamMetricsSql([.. Enumerable.Range(0, names).Select(i => "m" + i)], afterStep);

        var plan = Rows(connection, "EXPLAIN QUERY PLAN " + sql, names, afterStep).Select(r => r.Split('|')[^1]).ToList();

        plan.Where(p => p.Contains("metric_points", StringComparison.Ordinal)).Should().HaveCount(names)
            .And.OnlyContain(p => p.Contains("USING COVERING INDEX ix_metric_points_name (run_key=? AND name=?)", StringComparison.Ordinal));
        plan.Should().NotContain(p => p.Contains("TEMP B-TREE", StringComparison.Ordinal), "the arms come in offset order and SQLite merges them");
    }

    [Fact]
    public async Task ReadMetricsAsync_MoreNamesThanArms_StreamsThemInOffsetThenNameOrder()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        var run = Run("run-a");
        var values = Enumerable.Range(0, SqliteReads.MaxNameArms + 6).ToDictionary(i => $"m{i:D3}", i => (double)i);
        await store.AppendAsync([.. Enumerable.Range(1, 20).Select(i => Metric(run, i, i, i, values))]);
        string[] asked = [.. values.Keys.Where((_, i) => i % 20 != 7).Reverse(), "missing"];

        var points = await ReadAllAsync(store, new MetricQuery("run-a") { Names = asked });

        asked.Length.Should().BeGreaterThan(SqliteReads.MaxNameArms);
        points.Should().Equal(await store.GetMetricsAsync(new MetricQuery("run-a") { Names = asked, Limit = 100_000 }));
        points.Should().HaveCount(20 * (asked.Length - 1));
    }

    [Fact]
    public async Task ReadMetricsAsync_Degraded_StreamsTheFileAndMemoryMergedByOffset()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        var run = Run("run-a");
        await store.AppendAsync([.. Enumerable.Range(1, 3).Select(i => Metric(run, i, i, i))]);
        store.ExecuteOnWriter("PRAGMA query_only = 1;");

        await store.AppendAsync([.. Enumerable.Range(4, 3).Select(i => Metric(run, i, i, i))]);

        store.IsDegraded.Should().BeTrue();
        (await ReadAllAsync(store, new MetricQuery("run-a") { Names = [MetricNames.TrainLoss] })).Select(p => p.Offset).Should().Equal(1, 2, 3, 4, 5, 6);
        (await ReadAllAsync(store, new MetricQuery("run-a") { AfterStep = 2 })).Should().Equal(
            await store.GetMetricsAsync(new MetricQuery("run-a") { AfterStep = 2 })).And.HaveCount(8);
    }

    [Fact]
    public async Task ReadMetricsAsync_DisposedStore_ThrowsObjectDisposed()
    {
        var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        store.Dispose();

        var read = () => ReadAllAsync(store, new MetricQuery("run-a"));

        await read.Should().ThrowAsync<ObjectDisposedException>();
    }

    private static async Task<List<MetricPoint>> ReadAllAsync(IMetricStore store, MetricQuery query)
    {
        var points = new List<MetricPoint>();
        await foreach (var point in store.ReadMetricsAsync(query))
        {
            points.Add(point);
        }

        return points;
    }

    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Each row of <see cref="SqliteReads.StreamMetricsSql"/>'s plan as its columns joined by '|', with its parameters bound.</summary>
    private static List<string> Rows(SqliteConnection connection, string sql, int names, bool afterStep)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$run", "run-a");
        if (afterStep)
        {
            command.Parameters.AddWithValue("$after_step", 10L);
        }

        for (var i = 0; i < names; i++)
        {
            command.Parameters.AddWithValue("$n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), "m" + i);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
