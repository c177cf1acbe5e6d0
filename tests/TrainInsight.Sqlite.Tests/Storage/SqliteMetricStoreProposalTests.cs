using Microsoft.Data.Sqlite;
using static TrainInsight.Testing.MetricStoreContractTests;

namespace TrainInsight.Sqlite.Tests.Storage;

/// <summary>How the SQLite store keeps proposals and analyses (the behaviour every store shares is in the contract tests).</summary>
public sealed class SqliteMetricStoreProposalTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Constructor_VersionFiveFile_MigratesKeepingOldDataAndStoresProposals()
    {
        var path = _directory.File("v5.db");
        using (var connection = OpenRaw(path))
        {
            Execute(connection, SqliteMetricStoreTests.VersionOneSchema + SqliteMetricStoreTests.VersionOneToTwo + SqliteMetricStoreTests.VersionTwoToThree
                + SqliteMetricStoreConversationTests.VersionThreeToFour + VersionFourToFive + """
                PRAGMA user_version = 5;
                UPDATE store_state SET last_offset = 2;
                INSERT INTO runs (run_key, id, name, started_at, first_event_at, last_event_at, state, last_sequence, last_offset, last_step, event_count, hyperparameters)
                    VALUES (1, 'run-old', 'run-old', 0, 0, 20, 'Training', 2, 2, 1, 2, '{"optimizer":"sgd"}');
                INSERT INTO run_metric_names (run_key, name) VALUES (1, 'train_loss');
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step) VALUES (1, 1, 1, 'Metric', 10, 1);
                INSERT INTO metric_points (run_key, event_offset, name, step, value, value_bits, sequence, timestamp)
                    VALUES (1, 1, 'train_loss', 1, 0.5, NULL, 1, 10);
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step) VALUES (2, 1, 2, 'Finding', 20, 1);
                INSERT INTO finding_revisions (event_offset, finding_id, label, severity, state, message, confidence, confidence_bits, revision, first_step, first_seen_at, evidence, fixes)
                    VALUES (2, 'run-old/divergence/1', 'divergence', 'Critical', 'Open', 'NaN', 0.9, NULL, 1, 1, 20, '[]', '[{"id":"lower_learning_rate","kind":"LiveAction","title":"t","rationale":"r","commands":[{"action":"SetLearningRate","value":0.001}]}]');
                INSERT INTO findings (run_key, finding_id, first_offset, event_offset, sequence, timestamp, label, severity, state, message, confidence, confidence_bits, revision, first_step, step, first_seen_at, evidence, fixes)
                    VALUES (1, 'run-old/divergence/1', 2, 2, 2, 20, 'divergence', 'Critical', 'Open', 'NaN', 0.9, NULL, 1, 1, 1, 20, '[]', '[{"id":"lower_learning_rate","kind":"LiveAction","title":"t","rationale":"r","commands":[{"action":"SetLearningRate","value":0.001}]}]');
                INSERT INTO conversation_messages (run_id, conversation_id, role, text, timestamp, source) VALUES ('run-old', 'c1', 'User', 'hi', 30, NULL);
                """);
        }

        var run = Run("run-old");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            store.IsDegraded.Should().BeFalse();
            store.LoadState().LastOffset.Should().Be(2);
            (await store.ReadEventsAsync(0, 10)).Select(e => e.GetType()).Should().Equal(typeof(MetricEvent), typeof(FindingEvent));
            (await store.GetMetricsAsync(new MetricQuery("run-old"))).Should().ContainSingle().Which.Value.Should().Be(0.5);
            (await store.GetFindingsAsync(new FindingQuery("run-old"))).Should().ContainSingle()
                .Which.Fixes.Should().ContainSingle().Which.Commands.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Action = ControlAction.SetLearningRate, Value = 0.001, Path = (string?)null });
            (await store.GetConversationAsync("run-old", "c1", 10)).Select(m => m.Text).Should().Equal("hi");
            (await store.GetProposalsAsync(new ProposalQuery())).Should().BeEmpty("a version-5 file has no proposals");

            await store.AppendAsync([Proposal(run, "prop_a", 3, 3), Analysis(run, 4, 4), Proposal(run, "prop_a", 5, 5, ProposalState.Approved, 2)]);
        }

        using (var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            (await reopened.GetProposalsAsync(new ProposalQuery { RunId = "run-old" })).Select(p => (p.ProposalId, p.State)).Should().Equal(("prop_a", ProposalState.Approved));
            (await reopened.GetProposalHistoryAsync("prop_a")).Select(p => p.Revision).Should().Equal(1, 2);
            (await reopened.ReadEventsAsync(0, 10)).Select(e => e.GetType().Name).Should().Equal(
                nameof(MetricEvent), nameof(FindingEvent), nameof(ProposalEvent), nameof(AssistantAnalysisEvent), nameof(ProposalEvent));
            (await reopened.GetRunAsync("run-old"))!.Should().BeEquivalentTo(new { EventCount = 5L, LastOffset = 5L, State = RunState.Training });
        }

        using var raw = OpenRaw(path);
        Scalar(raw, "PRAGMA user_version;").Should().Be(7L);
        Rows(raw, "SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'ix_proposal%' ORDER BY name;")
            .Should().Equal("ix_proposal_revisions_proposal", "ix_proposal_revisions_run", "ix_proposals_first", "ix_proposals_run", "ix_proposals_state");
    }

    [Fact]
    public async Task AppendAsync_RevisionsOfAProposal_UpsertOneLatestRowAndKeepEveryRevisionAsReadableRows()
    {
        var path = _directory.File("store.db");
        var run = Run("run-a");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            // Made and approved in one batch, applied with its outcome in the next; another proposal in between.
            await store.AppendAsync([Proposal(run, "a", 1, 1), Proposal(run, "b", 2, 2), Proposal(run, "a", 3, 3, ProposalState.Approved, 2)]);
            await store.AppendAsync([RichProposal(run, 4, 4, "a"), Analysis(run, 5, 5)]);
        }

        using var connection = OpenRaw(path);
        Rows(connection, "SELECT proposal_id, first_offset, event_offset, state FROM proposals ORDER BY first_offset;")
            .Should().Equal("a|1|4|Applied", "b|2|2|Pending");
        Rows(connection, "SELECT event_offset, proposal_id, revision, state, source, auto_applied FROM proposal_revisions ORDER BY event_offset;")
            .Should().Equal("1|a|1|Pending|Rule|0", "2|b|1|Pending|Rule|0", "3|a|2|Approved|Rule|0", "4|a|4|Applied|Revert|1");
        Rows(connection, "SELECT event_offset, kind, step, epoch FROM events ORDER BY event_offset;")
            .Should().Equal("1|Proposal||", "2|Proposal||", "3|Proposal||", "4|Proposal|41|", "5|AssistantAnalysis|40|2");
        Rows(connection, "SELECT commands, command_ids, previous_values FROM proposal_revisions WHERE event_offset = 4;").Should().ContainSingle().Which.Should()
            .Be($$"""[{"action":"RestoreCheckpoint","path":"/tmp/ckpt/run \"a\"/step-40.bin"},{"action":"SetLearningRate","value":0.0001},{"action":"SetWeightDecay","value_bits":{{BitConverter.DoubleToInt64Bits(-0.0)}}},{"action":"Resume"}]|["cmd_1","cmd_2","cmd_3","cmd_4"]|[{"name":"learning_rate","value":0.01},{"name":"weight_decay","value_bits":{{BitConverter.DoubleToInt64Bits(-0.0)}}},{"name":"momentum","value":0.9}]""");
        ((string)Scalar(connection, "SELECT outcome FROM proposal_revisions WHERE event_offset = 4;")!).Should().StartWith(
            $$"""{"metric":"train_loss","verdict":"Hurt","before":0.31,"after_bits":{{BitConverter.DoubleToInt64Bits(double.NaN)}},""")
            .And.EndWith("\"message\":\"train_loss became NaN at step 45 (0.31 before).\",\"before_count\":20,\"after_count\":5,\"from_step\":21,\"to_step\":45}");
        Scalar(connection, "SELECT outcome FROM proposal_revisions WHERE event_offset = 1;").Should().Be(DBNull.Value);
        Rows(connection, "SELECT analysis_trigger, source, text, proposal_ids FROM assistant_analyses;")
            .Should().Equal("finding|Model|The loss diverged at step 40: 学习率太高, lower it 10×.|[\"prop_1\",\"prop_2\"]");
        string.Join('\n', Rows(connection, "EXPLAIN QUERY PLAN SELECT proposal_id FROM proposals WHERE state = 'Pending' ORDER BY first_offset DESC LIMIT 10;"))
            .Should().Contain("ix_proposals_state").And.NotContain("TEMP B-TREE");
        string.Join('\n', Rows(connection, "EXPLAIN QUERY PLAN SELECT proposal_id FROM proposals WHERE run_key = 1 ORDER BY first_offset DESC LIMIT 10;"))
            .Should().Contain("ix_proposals_run").And.NotContain("TEMP B-TREE");
        string.Join('\n', Rows(connection, "EXPLAIN QUERY PLAN SELECT * FROM proposal_revisions WHERE proposal_id = 'a' ORDER BY event_offset;"))
            .Should().Contain("ix_proposal_revisions_proposal").And.NotContain("TEMP B-TREE");
    }

    [Fact]
    public async Task ApplyRetention_MaxRuns_RemovesTheProposalsAndAnalysesOfRemovedRuns()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxRuns = 1 });
        await store.AppendAsync([Proposal(Run("run-a"), "a", 1, 1), Analysis(Run("run-a"), 2, 2), Proposal(Run("run-a"), "a", 3, 3, ProposalState.Rejected, 2)]);
        await store.AppendAsync([Proposal(Run("run-b"), "b", 4, 1), Analysis(Run("run-b"), 5, 2)]);
        store.ApplyRetention();

        (await store.GetRunAsync("run-a")).Should().BeNull();
        (await store.GetProposalsAsync(new ProposalQuery())).Select(p => p.ProposalId).Should().Equal("b");
        (await store.GetProposalHistoryAsync("a")).Should().BeEmpty();
        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(4, 5);
        using var connection = OpenRaw(path);
        Rows(connection, "SELECT proposal_id FROM proposals;").Should().Equal("b");
        Rows(connection, "SELECT event_offset FROM proposal_revisions;").Should().Equal("4");
        Rows(connection, "SELECT event_offset FROM assistant_analyses;").Should().Equal("5");
    }

    [Fact]
    public async Task ApplyRetention_MaxEventsPerRun_TrimsEventsAndAnalysesButKeepsEveryProposalRevision()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxEventsPerRun = 2 });
        var run = Run("run-a");
        await store.AppendAsync(
        [
            Proposal(run, "a", 1, 1),
            Analysis(run, 2, 2),
            Proposal(run, "a", 3, 3, ProposalState.Approved, 2),
            Metric(run, 4, 4, 40),
            Metric(run, 5, 5, 50),
        ]);
        store.ApplyRetention();

        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(4, 5);
        (await store.GetProposalsAsync(new ProposalQuery { State = ProposalState.Approved })).Select(p => (p.ProposalId, p.Revision)).Should().Equal(("a", 2));
        (await store.GetProposalHistoryAsync("a")).Select(p => p.Offset).Should().Equal(1, 3);
        using var connection = OpenRaw(path);
        Scalar(connection, "SELECT count(*) FROM assistant_analyses;").Should().Be(0L);
    }

    [Fact]
    public async Task GetProposalsAsync_DegradedAfterAProposalWasStored_MergesTheLatestRevisionAcrossDiskAndMemory()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        var run = Run("run-a");
        await store.AppendAsync([Proposal(run, "a", 1, 1), Proposal(run, "b", 2, 2), Proposal(Run("run-b"), "x", 3, 1)]);
        store.ExecuteOnWriter("PRAGMA query_only = 1;");

        await store.AppendAsync([Proposal(run, "a", 4, 3, ProposalState.Approved, 2), Proposal(run, "c", 5, 4), Analysis(run, 6, 5)]);

        store.IsDegraded.Should().BeTrue();
        (await store.GetProposalsAsync(new ProposalQuery())).Select(p => $"{p.ProposalId}{p.Revision}").Should().Equal("c1", "x1", "b1", "a2");
        (await store.GetProposalsAsync(new ProposalQuery { RunId = "run-a" })).Select(p => $"{p.ProposalId}{p.Revision}").Should().Equal("c1", "b1", "a2");
        (await store.GetProposalsAsync(new ProposalQuery { State = ProposalState.Pending })).Select(p => p.ProposalId).Should().Equal("c", "x", "b");
        (await store.GetProposalsAsync(new ProposalQuery { State = ProposalState.Approved })).Select(p => p.ProposalId).Should().Equal("a");
        (await store.GetProposalsAsync(new ProposalQuery { Limit = 2 })).Select(p => p.ProposalId).Should().Equal("c", "x");
        (await store.GetProposalHistoryAsync("a")).Select(p => (p.Revision, p.Offset)).Should().Equal((1, 1L), (2, 4L));
        (await store.ReadEventsAsync(0, 10)).Select(e => e.GetType().Name).Should().Equal(
            nameof(ProposalEvent), nameof(ProposalEvent), nameof(ProposalEvent), nameof(ProposalEvent), nameof(ProposalEvent), nameof(AssistantAnalysisEvent));
    }

    [Fact]
    public async Task ReadEventsAsync_CommandsColumnDamaged_ThrowsNamingTheProposal()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        await store.AppendAsync([Proposal(Run("run-a"), "prop_a", 1, 1)]);
        store.ExecuteOnWriter("""UPDATE proposal_revisions SET commands = '[{"action":"Explode"}]';""");

        var read = () => store.ReadEventsAsync(0, 10);
        var list = () => store.GetProposalsAsync(new ProposalQuery());
        var history = () => store.GetProposalHistoryAsync("prop_a");

        (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("The stored revision of proposal 'prop_a' of run 'run-a' at offset 1 is not what this store writes*'Explode'*");
        await list.Should().ThrowAsync<InvalidDataException>();
        await history.Should().ThrowAsync<InvalidDataException>();
    }

    [Fact]
    public async Task Bus_ResumeOlderThanRing_ReplaysStoredProposalsAndAnalysesWithEveryProperty()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 2, StoreFlushInterval = TimeSpan.FromMilliseconds(10) }, store);
        var run = Run("run-a");
        var published = new List<TrainInsightEvent> { new MetricEvent(run, 1, new Dictionary<string, double> { ["loss"] = 1 }), RichProposal(run, 0, 0), Analysis(run, 0, 0) };
        published.AddRange(Enumerable.Range(2, 5).Select(step => new MetricEvent(run, step, new Dictionary<string, double> { ["loss"] = 1.0 / step })));
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
        replayed.Where(e => e is not MetricEvent).Should().BeEquivalentTo(published.Where(e => e is not MetricEvent), o => o.RespectingRuntimeTypes().WithStrictOrdering());
        (await store.GetProposalHistoryAsync(RichProposal(run, 0, 0).ProposalId)).Should().ContainSingle().Which.Offset.Should().Be(2);
    }

    // The version-4 to version-5 step as it shipped, frozen for the same reason as SqliteMetricStoreTests.VersionOneSchema.
    private const string VersionFourToFive = """
        CREATE TABLE conversation_messages (
            message_order INTEGER PRIMARY KEY AUTOINCREMENT,
            run_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            role TEXT NOT NULL,
            text TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            source TEXT);
        CREATE INDEX ix_conversation_messages_run ON conversation_messages (run_id, conversation_id, message_order);
        """;

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
