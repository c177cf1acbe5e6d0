using Microsoft.Data.Sqlite;
using static TrainInsight.Testing.MetricStoreContractTests;

namespace TrainInsight.Sqlite.Tests.Storage;

/// <summary>How the SQLite store keeps findings (the behaviour every store shares is in the contract tests).</summary>
public sealed class SqliteMetricStoreFindingTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task AppendAsync_RevisionsOfAFinding_UpsertOneLatestRowAndKeepEveryRevision()
    {
        var path = _directory.File("store.db");
        var run = Run("run-a");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            // Raised and updated in one batch, resolved in the next; another finding in between.
            await store.AppendAsync([Finding(run, "a", 1, 1), Finding(run, "b", 2, 2, severity: FindingSeverity.Info), Finding(run, "a", 3, 3, revision: 2)]);
            await store.AppendAsync([Finding(run, "a", 4, 4, FindingState.Resolved, revision: 3)]);
        }

        using var connection = OpenRaw(path);
        Rows(connection, "SELECT finding_id, first_offset, event_offset, revision, state, severity, step FROM findings ORDER BY first_offset;")
            .Should().Equal("a|1|4|3|Resolved|Warning|30", "b|2|2|1|Open|Info|10");
        Rows(connection, "SELECT event_offset, finding_id, revision, state FROM finding_revisions ORDER BY event_offset;")
            .Should().Equal("1|a|1|Open", "2|b|1|Open", "3|a|2|Open", "4|a|3|Resolved");
        Rows(connection, "SELECT event_offset, kind, step FROM events ORDER BY event_offset;")
            .Should().Equal("1|Finding|10", "2|Finding|10", "3|Finding|20", "4|Finding|30");
        Rows(connection, "EXPLAIN QUERY PLAN SELECT finding_id FROM findings WHERE run_key = 1 AND state = 'Open' ORDER BY first_offset;")
            .Should().ContainSingle().Which.Should().Contain("ix_findings_run_state");
    }

    [Fact]
    public async Task AppendAsync_NonFiniteEvidence_IsKeptAsValueBitsInReadableJson()
    {
        var path = _directory.File("store.db");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            await store.AppendAsync([RichFinding(Run("run-a"), 1, 1)]);
        }

        using var connection = OpenRaw(path);
        var evidence = (string)Scalar(connection, "SELECT evidence FROM findings;")!;
        var fixes = (string)Scalar(connection, "SELECT fixes FROM finding_revisions;")!;
        evidence.Should().StartWith($$"""[{"metric":"train_loss","value_bits":{{BitConverter.DoubleToInt64Bits(double.NaN)}},"step":40,"description":"latest sample","threshold":10},""");
        evidence.Should().Contain($"\"value_bits\":{0x7FF8_0000_0000_1234}").And.Contain("\"threshold_bits\":").And.Contain("best, × 100 \\\"quoted\\\" ü");
        fixes.Should().StartWith("""[{"id":"lower_learning_rate","kind":"LiveAction","title":"Set the learning rate to 0.0001 (0.001 × 0.1)",""");
        fixes.Should().Contain("""{"action":"Pause"},{"action":"SetLearningRate","value":0.0001},{"action":"SetWeightDecay","value_bits":""")
            .And.EndWith("""{"id":"clip_gradients","kind":"CodeChange","title":"Clip gradients to norm 1.0","rationale":"Caps the update when a batch explodes.","commands":[]}]""");
        Scalar(connection, "SELECT confidence FROM findings;").Should().Be(0.875);
    }

    [Fact]
    public async Task AppendAsync_MaxRuns_RemovesTheFindingsOfRemovedRuns()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxRuns = 1, RetentionInterval = TimeSpan.Zero });
        await store.AppendAsync([Finding(Run("run-a"), "a", 1, 1), Finding(Run("run-a"), "a", 2, 2, revision: 2), Metric(Run("run-a"), 3, 3, 1)]);
        await store.AppendAsync([Finding(Run("run-b"), "b", 4, 1)]);

        (await store.GetFindingsAsync(new FindingQuery("run-a"))).Should().BeEmpty();
        (await store.GetFindingsAsync(new FindingQuery("run-b"))).Should().ContainSingle();
        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(4);
        using var connection = OpenRaw(path);
        Rows(connection, "SELECT finding_id FROM findings;").Should().Equal("b");
        Rows(connection, "SELECT event_offset FROM finding_revisions;").Should().Equal("4");
    }

    [Fact]
    public async Task AppendAsync_MaxEventsPerRun_TrimsOldRevisionsButKeepsTheLatestOfEachFinding()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxEventsPerRun = 2 });
        var run = Run("run-a");
        await store.AppendAsync(
        [
            Finding(run, "a", 1, 1),
            Finding(run, "b", 2, 2),
            Finding(run, "a", 3, 3, FindingState.Resolved, revision: 2),
            Metric(run, 4, 4, 40),
            Metric(run, 5, 5, 50),
        ]);

        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(4, 5);
        (await store.GetFindingsAsync(new FindingQuery("run-a"))).Select(f => (f.FindingId, f.Revision, f.State))
            .Should().Equal(("a", 2, FindingState.Resolved), ("b", 1, FindingState.Open));
        (await store.GetFindingsAsync(new FindingQuery("run-a") { State = FindingState.Open })).Select(f => f.FindingId).Should().Equal("b");
        using var connection = OpenRaw(path);
        Scalar(connection, "SELECT count(*) FROM finding_revisions;").Should().Be(0L);
    }

    [Fact]
    public async Task GetFindingsAsync_DegradedAfterAFindingWasStored_FiltersTheLatestRevisionAcrossDiskAndMemory()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        var run = Run("run-a");
        await store.AppendAsync([Finding(run, "a", 1, 1, severity: FindingSeverity.Critical), Finding(run, "b", 2, 2)]);
        store.ExecuteOnWriter("PRAGMA query_only = 1;");

        await store.AppendAsync([Finding(run, "a", 3, 3, FindingState.Resolved, FindingSeverity.Critical, 2), Finding(run, "c", 4, 4, severity: FindingSeverity.Info)]);

        store.IsDegraded.Should().BeTrue();
        (await store.GetFindingsAsync(new FindingQuery("run-a"))).Select(f => $"{f.FindingId}{f.Revision}").Should().Equal("a2", "b1", "c1");
        (await store.GetFindingsAsync(new FindingQuery("run-a") { State = FindingState.Open })).Select(f => f.FindingId).Should().Equal("b", "c");
        (await store.GetFindingsAsync(new FindingQuery("run-a") { MinSeverity = FindingSeverity.Critical })).Select(f => $"{f.FindingId}{f.Revision}").Should().Equal("a2");
        (await store.GetFindingsAsync(new FindingQuery("run-a") { Limit = 1 })).Select(f => f.FindingId).Should().Equal("a");
        (await store.ReadEventsAsync(0, 10)).OfType<FindingEvent>().Select(f => f.Offset).Should().Equal(1, 2, 3, 4);
    }

    [Fact]
    public async Task ReadEventsAsync_EvidenceColumnDamaged_ThrowsNamingTheFinding()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        await store.AppendAsync([Finding(Run("run-a"), "run-a/overfitting/1", 1, 1)]);
        store.ExecuteOnWriter("""UPDATE finding_revisions SET evidence = '[{"metric":"val_loss"}]';""");
        store.ExecuteOnWriter("UPDATE findings SET severity = 'Severe';");

        var read = () => store.ReadEventsAsync(0, 10);
        var findings = () => store.GetFindingsAsync(new FindingQuery("run-a"));

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("The stored evidence of finding 'run-a/overfitting/1' is not what this store writes*");
        (await findings.Should().ThrowAsync<InvalidDataException>()).WithMessage("The stored finding 'run-a/overfitting/1' of run 'run-a'*'Severe'*");
    }

    [Fact]
    public async Task Bus_ResumeOlderThanRing_ReplaysStoredFindingsWithEveryProperty()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 2, StoreFlushInterval = TimeSpan.FromMilliseconds(10) }, store);
        var run = Run("run-a");
        var published = new List<TrainInsightEvent> { new MetricEvent(run, 1, new Dictionary<string, double> { ["loss"] = 1 }), RichFinding(run, 0, 0) };
        published.AddRange(Enumerable.Range(2, 5).Select(step => new MetricEvent(run, step, new Dictionary<string, double> { ["loss"] = 1.0 / step })));
        published.Add(Finding(run, RichFinding(run, 0, 0).FindingId, 0, 0, FindingState.Resolved, FindingSeverity.Critical, 4, FindingLabels.Divergence));
        foreach (var item in published)
        {
            bus.TryPublish(item).Should().BeTrue();
        }

        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == published.Count, "the store holds every event");
        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 0 });

        var replayed = new List<TrainInsightEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (replayed.Count < published.Count)
        {
            replayed.Add(await subscription.Reader.ReadAsync(timeout.Token));
        }

        replayed.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, published.Count).Select(i => (long)i));
        replayed[1].Should().NotBeSameAs(published[1], "it was read back from the file");
        replayed.OfType<FindingEvent>().Should().BeEquivalentTo(published.OfType<FindingEvent>(), o => o.RespectingRuntimeTypes().WithStrictOrdering());
        (await store.GetFindingsAsync(new FindingQuery("run-a"))).Should().ContainSingle().Which.State.Should().Be(FindingState.Resolved);
    }

    private static SqliteConnection OpenRaw(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    /// <summary>Each row as its columns joined by '|'.</summary>
    private static List<string> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return rows;
    }
}
