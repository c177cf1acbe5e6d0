using Microsoft.Data.Sqlite;
using static TrainInsight.Testing.MetricStoreContractTests;

namespace TrainInsight.Sqlite.Tests.Storage;

public sealed class SqliteMetricStoreConversationTests : IDisposable
{
    // Milliseconds and sub-millisecond ticks, at an offset other than UTC: the store keeps UTC ticks.
    private static readonly DateTimeOffset s_t0 = new DateTimeOffset(2026, 3, 1, 12, 0, 0, 123, TimeSpan.FromHours(8)).AddTicks(4_567);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task GetConversationAsync_AfterAppend_ReturnsEveryFieldAsWritten()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        ConversationMessage[] messages =
        [
            Message("run-a", "c1", 1, "为什么损失在第 40 步发散了？"),
            Message("run-a", "c1", 2, "He said \"don't\";\n-- DROP TABLE runs;\r\n\t'quoted' \\ %", ConversationRole.Assistant, AssistantSource.Rules),
            Message("run-a", "c1", 3, "摘要：学习率太高。", ConversationRole.Assistant, AssistantSource.Model),
        ];

        await store.AppendConversationAsync(messages);
        var read = await store.GetConversationAsync("run-a", "c1", 10);

        read.Select(m => (m.RunId, m.ConversationId, m.Role, m.Text, m.Source)).Should().Equal(
            ("run-a", "c1", ConversationRole.User, "为什么损失在第 40 步发散了？", (AssistantSource?)null),
            ("run-a", "c1", ConversationRole.Assistant, "He said \"don't\";\n-- DROP TABLE runs;\r\n\t'quoted' \\ %", AssistantSource.Rules),
            ("run-a", "c1", ConversationRole.Assistant, "摘要：学习率太高。", AssistantSource.Model));
        read.Select(m => m.Timestamp.UtcTicks).Should().Equal(messages.Select(m => m.Timestamp.UtcTicks));
        read[0].Timestamp.Should().Be(s_t0.AddSeconds(1));
        read[0].Timestamp.Offset.Should().Be(TimeSpan.Zero, "times are read back in UTC");
        read[0].Timestamp.Millisecond.Should().Be(123);
        using var raw = OpenRaw(path);
        Scalar(raw, "SELECT role || '/' || ifnull(source, 'NULL') FROM conversation_messages ORDER BY message_order DESC LIMIT 1;")
            .Should().Be("Assistant/Model", "enums are stored by name");
    }

    [Fact]
    public async Task GetConversationAsync_LimitBelowCount_ReturnsTheLatestOldestFirst()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        await store.AppendConversationAsync([.. Enumerable.Range(1, 4).Select(i => Message("run-a", "c1", i))]);
        await store.AppendConversationAsync([.. Enumerable.Range(5, 3).Select(i => Message("run-a", "c1", i))]);

        (await store.GetConversationAsync("run-a", "c1", 3)).Select(m => m.Text).Should().Equal("m5", "m6", "m7");
        (await store.GetConversationAsync("run-a", "c1", 1)).Select(m => m.Text).Should().Equal("m7");
        (await store.GetConversationAsync("run-a", "c1", int.MaxValue)).Select(m => m.Text).Should().Equal("m1", "m2", "m3", "m4", "m5", "m6", "m7");
    }

    [Fact]
    public async Task GetConversationAsync_OtherConversationsAndRuns_DoNotMix()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        await store.AppendConversationAsync(
        [
            Message("run-a", "c1", 1),
            Message("run-a", "c2", 2),
            Message("run-b", "c1", 3),
            Message("run-a", "c1", 4),
        ]);

        (await store.GetConversationAsync("run-a", "c1", 10)).Select(m => m.Text).Should().Equal("m1", "m4");
        (await store.GetConversationAsync("run-a", "c2", 10)).Select(m => m.Text).Should().Equal("m2");
        (await store.GetConversationAsync("run-b", "c1", 10)).Select(m => m.Text).Should().Equal("m3");
        (await store.GetConversationAsync("run-b", "c2", 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task GetConversationAsync_Unknown_ReturnsEmpty()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        (await store.GetConversationAsync("run-a", "c1", 10)).Should().BeEmpty("a new file has no conversations");
        await store.AppendConversationAsync([Message("run-a", "c1", 1)]);

        (await store.GetConversationAsync("run-x", "c1", 10)).Should().BeEmpty();
        (await store.GetConversationAsync("run-a", "C1", 10)).Should().BeEmpty("ids are compared exactly");
    }

    [Theory]
    [InlineData(null, "c1", 1, typeof(ArgumentNullException))]
    [InlineData("", "c1", 1, typeof(ArgumentException))]
    [InlineData(" ", "c1", 1, typeof(ArgumentException))]
    [InlineData("run-a", null, 1, typeof(ArgumentNullException))]
    [InlineData("run-a", "\t", 1, typeof(ArgumentException))]
    [InlineData("run-a", "c1", 0, typeof(ArgumentOutOfRangeException))]
    [InlineData("run-a", "c1", -1, typeof(ArgumentOutOfRangeException))]
    public async Task GetConversationAsync_BadArguments_Throws(string? runId, string? conversationId, int limit, Type expected)
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });

        var read = () => store.GetConversationAsync(runId!, conversationId!, limit);

        (await read.Should().ThrowAsync<ArgumentException>()).Which.Should().BeOfType(expected);
    }

    [Fact]
    public async Task AppendConversationAsync_NullListOrItem_ThrowsAndKeepsNone()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });

        var nullList = () => store.AppendConversationAsync(null!);
        var nullItem = () => store.AppendConversationAsync([Message("run-a", "c1", 1), null!]);

        await nullList.Should().ThrowAsync<ArgumentNullException>();
        (await nullItem.Should().ThrowAsync<ArgumentNullException>()).WithParameterName("messages");
        (await store.GetConversationAsync("run-a", "c1", 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendConversationAsync_WriteFailsMidBatch_ThrowsIOExceptionKeepsNoneAndDoesNotDegrade()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        await store.AppendConversationAsync([Message("run-a", "c1", 1)]);
        store.ExecuteOnWriter("CREATE TEMP TRIGGER fail_boom BEFORE INSERT ON conversation_messages WHEN NEW.text = 'boom' BEGIN SELECT RAISE(ABORT, 'boom refused'); END;");

        var append = () => store.AppendConversationAsync([Message("run-a", "c1", 2), Message("run-a", "c1", 3, "boom"), Message("run-a", "c1", 4)]);

        (await append.Should().ThrowAsync<IOException>()).WithInnerException<SqliteException>().WithMessage("*boom refused*");
        (await store.GetConversationAsync("run-a", "c1", 10)).Select(m => m.Text).Should().Equal(["m1"], "the failed batch is kept whole or not at all");
        store.IsDegraded.Should().BeFalse("a failed conversation write is the caller's to report, and events are not affected");
        store.ExecuteOnWriter("DROP TRIGGER fail_boom;");
        await store.AppendConversationAsync([Message("run-a", "c1", 5)]);
        await store.AppendAsync([Metric(Run("run-a"), 1, 1, 1)]);
        (await store.GetConversationAsync("run-a", "c1", 10)).Select(m => m.Text).Should().Equal("m1", "m5");
        (await store.ReadEventsAsync(0, 10)).Should().ContainSingle();
    }

    [Fact]
    public async Task AppendConversationAsync_StoreDegraded_ThrowsIOException()
    {
        var blocker = _directory.File("not-a-directory");
        await File.WriteAllTextAsync(blocker, "x");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = Path.Combine(blocker, "store.db") });

        var append = () => store.AppendConversationAsync([Message("run-a", "c1", 1)]);

        store.IsDegraded.Should().BeTrue();
        (await append.Should().ThrowAsync<IOException>()).WithMessage("*degraded*");
        (await store.GetConversationAsync("run-a", "c1", 10)).Should().BeEmpty();
    }

    [Fact]
    public async Task AppendConversationAsync_Disposed_ThrowsObjectDisposed()
    {
        var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        store.Dispose();

        var append = () => store.AppendConversationAsync([Message("run-a", "c1", 1)]);
        var read = () => store.GetConversationAsync("run-a", "c1", 1);

        await append.Should().ThrowAsync<ObjectDisposedException>();
        await read.Should().ThrowAsync<ObjectDisposedException>();
    }

    [Fact]
    public async Task GetConversationAsync_AfterDisposeAndReopen_ReadsWhatWasWrittenAndAppendsAfterIt()
    {
        var path = _directory.File("store.db");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            await store.AppendConversationAsync([Message("run-a", "c1", 1, "你好"), Message("run-a", "c1", 2, "hi", ConversationRole.Assistant, AssistantSource.Model)]);
        }

        using (var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            var read = await reopened.GetConversationAsync("run-a", "c1", 10);
            read.Select(m => (m.Text, m.Role, m.Source, m.Timestamp)).Should().Equal(
                ("你好", ConversationRole.User, (AssistantSource?)null, s_t0.AddSeconds(1)),
                ("hi", ConversationRole.Assistant, AssistantSource.Model, s_t0.AddSeconds(2)));
            await reopened.AppendConversationAsync([Message("run-a", "c1", 3)]);
        }

        using var again = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        (await again.GetConversationAsync("run-a", "c1", 2)).Select(m => m.Text).Should().Equal("hi", "m3");
    }

    [Fact]
    public async Task Constructor_VersionFourFile_MigratesKeepingOldDataAndStoresConversations()
    {
        var path = _directory.File("v4.db");
        using (var connection = OpenRaw(path))
        {
            Execute(connection, SqliteMetricStoreTests.VersionOneSchema + SqliteMetricStoreTests.VersionOneToTwo + SqliteMetricStoreTests.VersionTwoToThree + VersionThreeToFour + """
                PRAGMA user_version = 4;
                UPDATE store_state SET last_offset = 2;
                INSERT INTO runs (run_key, id, name, started_at, first_event_at, last_event_at, state, last_sequence, last_offset, last_step, event_count, hyperparameters)
                    VALUES (1, 'run-old', 'run-old', 0, 0, 20, 'Training', 2, 2, 1, 2, '{"optimizer":"sgd"}');
                INSERT INTO run_metric_names (run_key, name) VALUES (1, 'train_loss');
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step)
                    VALUES (1, 1, 1, 'Metric', 10, 1);
                INSERT INTO metric_points (run_key, event_offset, name, step, value, value_bits, sequence, timestamp)
                    VALUES (1, 1, 'train_loss', 1, 0.5, NULL, 1, 10);
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step)
                    VALUES (2, 1, 2, 'Finding', 20, 1);
                INSERT INTO finding_revisions (event_offset, finding_id, label, severity, state, message, confidence, confidence_bits, revision, first_step, first_seen_at, evidence, fixes)
                    VALUES (2, 'run-old/plateau/1', 'plateau', 'Warning', 'Open', 'flat', 0.75, NULL, 1, 1, 20, '[]', '[]');
                INSERT INTO findings (run_key, finding_id, first_offset, event_offset, sequence, timestamp, label, severity, state, message, confidence, confidence_bits, revision, first_step, step, first_seen_at, evidence, fixes)
                    VALUES (1, 'run-old/plateau/1', 2, 2, 2, 20, 'plateau', 'Warning', 'Open', 'flat', 0.75, NULL, 1, 1, 1, 20, '[]', '[]');
                """);
        }

        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            store.IsDegraded.Should().BeFalse();
            store.LoadState().LastOffset.Should().Be(2);
            (await store.ReadEventsAsync(0, 10)).Select(e => e.GetType()).Should().Equal(typeof(MetricEvent), typeof(FindingEvent));
            (await store.GetMetricsAsync(new TrainInsight.MetricQuery("run-old"))).Should().ContainSingle().Which.Value.Should().Be(0.5);
            (await store.GetFindingsAsync(new TrainInsight.FindingQuery("run-old"))).Should().ContainSingle().Which.Message.Should().Be("flat");
            (await store.GetRunAsync("run-old"))!.Run.Hyperparameters.Should().ContainKey("optimizer");
            (await store.GetConversationAsync("run-old", "c1", 10)).Should().BeEmpty("a version-4 file has no conversations");

            await store.AppendConversationAsync([Message("run-old", "c1", 1)]);
        }

        using (var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            (await reopened.GetConversationAsync("run-old", "c1", 10)).Select(m => m.Text).Should().Equal("m1");
            (await reopened.ReadEventsAsync(0, 10)).Should().HaveCount(2);
        }

        using var raw = OpenRaw(path);
        Scalar(raw, "PRAGMA user_version;").Should().Be(7L);
        Scalar(raw, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'ix_conversation_messages_run';").Should().Be(1L);
    }

    [Fact]
    public async Task ApplyRetention_MaxRunsRemovesARun_RemovesItsConversationsOnly()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxRuns = 1 });
        await store.AppendAsync([Metric(Run("run-a"), 1, 1, 1)]);
        await store.AppendConversationAsync([Message("run-a", "c1", 1), Message("run-a", "c2", 2), Message("run-b", "c1", 3)]);

        await store.AppendAsync([Metric(Run("run-b"), 2, 1, 1)]);
        store.ApplyRetention();

        (await store.GetRunAsync("run-a")).Should().BeNull();
        (await store.GetConversationAsync("run-a", "c1", 10)).Should().BeEmpty();
        (await store.GetConversationAsync("run-a", "c2", 10)).Should().BeEmpty();
        (await store.GetConversationAsync("run-b", "c1", 10)).Select(m => m.Text).Should().Equal("m3");
        using var raw = OpenRaw(path);
        Scalar(raw, "SELECT count(*) FROM conversation_messages;").Should().Be(1L);
    }

    [Fact]
    public async Task AppendConversationAsync_BeyondTheCap_KeepsTheLatestMessagesOfThatConversationOnly()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        await store.AppendConversationAsync([Message("run-a", "other", 0)]);
        await store.AppendConversationAsync([.. Enumerable.Range(1, 9_998).Select(i => Message("run-a", "c1", i))]);
        await store.AppendConversationAsync([.. Enumerable.Range(9_999, 5).Select(i => Message("run-a", "c1", i))]);

        var kept = await store.GetConversationAsync("run-a", "c1", int.MaxValue);

        kept.Should().HaveCount(InMemoryMetricStore.MaxConversationMessages);
        kept[0].Text.Should().Be("m4");
        kept[^1].Text.Should().Be("m10003");
        (await store.GetConversationAsync("run-a", "other", 10)).Should().ContainSingle();
        using var raw = OpenRaw(path);
        Scalar(raw, "SELECT count(*) FROM conversation_messages;").Should().Be(10_001L);
    }

    // The version-3 to version-4 step as it shipped, frozen for the same reason as SqliteMetricStoreTests.VersionOneSchema.
    internal const string VersionThreeToFour = """
        CREATE TABLE finding_revisions (
            event_offset INTEGER PRIMARY KEY,
            finding_id TEXT NOT NULL,
            label TEXT NOT NULL,
            severity TEXT NOT NULL,
            state TEXT NOT NULL,
            message TEXT NOT NULL,
            confidence REAL,
            confidence_bits INTEGER,
            revision INTEGER NOT NULL,
            first_step INTEGER NOT NULL,
            first_seen_at INTEGER NOT NULL,
            evidence TEXT NOT NULL,
            fixes TEXT NOT NULL);

        CREATE TABLE findings (
            run_key INTEGER NOT NULL,
            finding_id TEXT NOT NULL,
            first_offset INTEGER NOT NULL,
            event_offset INTEGER NOT NULL,
            sequence INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            label TEXT NOT NULL,
            severity TEXT NOT NULL,
            state TEXT NOT NULL,
            message TEXT NOT NULL,
            confidence REAL,
            confidence_bits INTEGER,
            revision INTEGER NOT NULL,
            first_step INTEGER NOT NULL,
            step INTEGER NOT NULL,
            first_seen_at INTEGER NOT NULL,
            evidence TEXT NOT NULL,
            fixes TEXT NOT NULL,
            PRIMARY KEY (run_key, finding_id));
        CREATE INDEX ix_findings_run_state ON findings (run_key, state, first_offset);
        """;

    private static ConversationMessage Message(
        string runId, string conversationId, int index, string? text = null, ConversationRole role = ConversationRole.User, AssistantSource? source = null)
    {
        return new ConversationMessage
        {
            RunId = runId,
            ConversationId = conversationId,
            Role = role,
            Text = text ?? "m" + index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Timestamp = s_t0.AddSeconds(index),
            Source = source,
        };
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
}
