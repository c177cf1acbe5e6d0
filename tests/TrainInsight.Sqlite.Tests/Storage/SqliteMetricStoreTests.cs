using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using static TrainInsight.Testing.MetricStoreContractTests;

namespace TrainInsight.Sqlite.Tests.Storage;

public sealed class SqliteMetricStoreTests : IDisposable
{
    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(20);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Constructor_NewFile_CreatesSchemaInWalMode()
    {
        var path = _directory.File("nested/dir/store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path });

        store.IsDegraded.Should().BeFalse();
        store.Path.Should().Be(path);
        using var connection = OpenRaw(path);
        Scalar(connection, "PRAGMA journal_mode;").Should().Be("wal");
        Scalar(connection, "PRAGMA user_version;").Should().Be(7L);
        Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'table';").Should().Be(14L, "conversation_messages brings sqlite_sequence (AUTOINCREMENT)");
        Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'ix_findings_run_state';").Should().Be(1L);
        Scalar(connection, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'ix_conversation_messages_run';").Should().Be(1L);
    }

    [Fact]
    public async Task Dispose_AfterWrites_CheckpointsAndRemovesTheWal()
    {
        var path = _directory.File("store.db");
        var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        await store.AppendAsync([Metric(Run("run-a"), 1, 1, 1)]);
        (await store.ReadEventsAsync(0, 10)).Should().ContainSingle();
        File.Exists(path + "-wal").Should().BeTrue();

        store.Dispose();

        File.Exists(path + "-wal").Should().BeFalse();
    }

    [Fact]
    public async Task Constructor_VersionOneFile_MigratesKeepingTheAuditTrailAndStoresCommandValues()
    {
        var path = _directory.File("v1.db");
        using (var connection = OpenRaw(path))
        {
            Execute(connection, VersionOneSchema + """
                PRAGMA user_version = 1;
                UPDATE store_state SET last_offset = 2;
                INSERT INTO runs (run_key, id, name, started_at, first_event_at, last_event_at, state, last_sequence, last_offset, last_step, event_count)
                    VALUES (1, 'run-a', 'run-a', 0, 0, 0, 'Training', 2, 2, 1, 2);
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step, state, command_id, command_action, command_run_id, command_issued_at, control_status)
                    VALUES (2, 1, 2, 'ControlApplied', 20, 1, 'Paused', 'cmd_old', 'Pause', 'run-a', 10, 'Applied');
                INSERT INTO commands (event_offset, run_key, command_id, action, issued_at, status, handled_at, step, message)
                    VALUES (2, 1, 'cmd_old', 'Pause', 10, 'Applied', 20, 1, NULL);
                """);
        }

        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            store.IsDegraded.Should().BeFalse();
            var old = (await store.GetCommandsAsync("run-a")).Should().ContainSingle().Subject;
            old.CommandId.Should().Be("cmd_old");
            old.Value.Should().BeNull();
            var run = Run("run-a");
            await store.AppendAsync(
            [
                new TrainingEvent(run, TrainingEventKind.ControlApplied, DateTimeOffset.UnixEpoch.AddDays(1))
                {
                    Command = new ControlCommand(ControlAction.SetLearningRate, run.Id, double.NaN) { Id = "cmd_new" },
                    ControlStatus = ControlStatus.Rejected,
                    Message = "invalid",
                    Step = 1,
                    Offset = 3,
                    Sequence = 3,
                },
            ]);
            var records = await store.GetCommandsAsync("run-a");
            records.Select(r => r.CommandId).Should().Equal("cmd_old", "cmd_new");
            double.IsNaN(records[1].Value!.Value).Should().BeTrue();
        }

        using var raw = OpenRaw(path);
        Scalar(raw, "PRAGMA user_version;").Should().Be(7L);
    }

    [Fact]
    public async Task Constructor_VersionTwoFile_MigratesKeepingRunsAndStoresHyperparameters()
    {
        var path = _directory.File("v2.db");
        using (var connection = OpenRaw(path))
        {
            Execute(connection, VersionOneSchema + VersionOneToTwo + """
                PRAGMA user_version = 2;
                UPDATE store_state SET last_offset = 1;
                INSERT INTO runs (run_key, id, name, started_at, first_event_at, last_event_at, state, last_sequence, last_offset, last_step, event_count)
                    VALUES (1, 'run-old', 'run-old', 0, 0, 0, 'Training', 1, 1, 1, 1);
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step)
                    VALUES (1, 1, 1, 'Metric', 10, 1);
                """);
        }

        var hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.Optimizer] = "adamw", [HyperparameterNames.WeightDecay] = 0.01 };
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            store.IsDegraded.Should().BeFalse();
            (await store.GetRunAsync("run-old"))!.Run.Hyperparameters.Should().BeEmpty("a version-2 run had none");
            (await store.ReadEventsAsync(0, 10)).Single().Run.Id.Should().Be("run-old");
            var run = new RunDescriptor("run-new") { Hyperparameters = hyperparameters };
            await store.AppendAsync([new MetricEvent(run, 1, new Dictionary<string, double> { ["loss"] = 1 }) { Offset = 2, Sequence = 1 }]);
        }

        using (var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            (await reopened.GetRunAsync("run-new"))!.Run.Hyperparameters.Should().BeEquivalentTo(hyperparameters);
        }

        using var raw = OpenRaw(path);
        Scalar(raw, "PRAGMA user_version;").Should().Be(7L);
        Scalar(raw, "SELECT hyperparameters FROM runs WHERE id = 'run-new';").Should().Be("""{"optimizer":"adamw","weight_decay":0.01}""");
    }

    [Fact]
    public async Task ReadEventsAsync_HyperparametersColumnDamaged_ThrowsNamingTheRun()
    {
        var path = _directory.File("damaged.db");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            var run = new RunDescriptor("run-d") { Hyperparameters = new Dictionary<string, HyperparameterValue> { ["seed"] = 1 } };
            await store.AppendAsync([new MetricEvent(run, 1, new Dictionary<string, double> { ["loss"] = 1 }) { Offset = 1, Sequence = 1 }]);
            store.ExecuteOnWriter("UPDATE runs SET hyperparameters = '[1, 2]' WHERE id = 'run-d';");

            var read = () => store.ReadEventsAsync(0, 10);

            (await read.Should().ThrowAsync<InvalidDataException>()).WithMessage("The stored hyperparameters of run 'run-d' are not a JSON object*");
        }
    }

    [Fact]
    public async Task Constructor_VersionThreeFile_MigratesKeepingOldDataAndStoresFindings()
    {
        var path = _directory.File("v3.db");
        using (var connection = OpenRaw(path))
        {
            Execute(connection, VersionOneSchema + VersionOneToTwo + VersionTwoToThree + """
                PRAGMA user_version = 3;
                UPDATE store_state SET last_offset = 2;
                INSERT INTO runs (run_key, id, name, started_at, first_event_at, last_event_at, state, last_sequence, last_offset, last_step, event_count, hyperparameters)
                    VALUES (1, 'run-old', 'run-old', 0, 0, 20, 'Paused', 2, 2, 1, 2, '{"optimizer":"sgd"}');
                INSERT INTO run_metric_names (run_key, name) VALUES (1, 'train_loss');
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step)
                    VALUES (1, 1, 1, 'Metric', 10, 1);
                INSERT INTO metric_points (run_key, event_offset, name, step, value, value_bits, sequence, timestamp)
                    VALUES (1, 1, 'train_loss', 1, 0.5, NULL, 1, 10);
                INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step, state, command_id, command_action, command_run_id, command_issued_at, control_status)
                    VALUES (2, 1, 2, 'ControlApplied', 20, 1, 'Paused', 'cmd_old', 'Pause', 'run-old', 15, 'Applied');
                INSERT INTO commands (event_offset, run_key, command_id, action, issued_at, status, handled_at, step, message)
                    VALUES (2, 1, 'cmd_old', 'Pause', 15, 'Applied', 20, 1, NULL);
                """);
        }

        // The trainer's descriptor; the store keeps the one it has for the run.
        var run = new RunDescriptor("run-old");
        var raised = Finding(run, "run-old/divergence/1", 3, 3, severity: FindingSeverity.Critical, label: FindingLabels.Divergence);
        var resolved = Finding(run, "run-old/divergence/1", 4, 4, FindingState.Resolved, FindingSeverity.Critical, 2, FindingLabels.Divergence);
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            store.IsDegraded.Should().BeFalse();
            store.LoadState().LastOffset.Should().Be(2);
            var old = await store.ReadEventsAsync(0, 10);
            old.Select(e => e.GetType()).Should().Equal(typeof(MetricEvent), typeof(TrainingEvent));
            ((MetricEvent)old[0]).Values.Should().Equal(new Dictionary<string, double> { ["train_loss"] = 0.5 });
            (await store.GetCommandsAsync("run-old")).Should().ContainSingle().Which.CommandId.Should().Be("cmd_old");
            (await store.GetFindingsAsync(new TrainInsight.FindingQuery("run-old"))).Should().BeEmpty("a version-3 file has no findings");

            await store.AppendAsync([raised, resolved]);
        }

        using (var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            var events = await reopened.ReadEventsAsync(0, 10);
            events.Select(e => e.Offset).Should().Equal(1, 2, 3, 4);
            events.Skip(2).Should().BeEquivalentTo(new[] { raised, resolved }, o => o.RespectingRuntimeTypes().WithStrictOrdering().Excluding(f => f.Run));
            events[3].Run.Hyperparameters.Should().ContainKey("optimizer", "the stored run's descriptor");
            var finding = (await reopened.GetFindingsAsync(new TrainInsight.FindingQuery("run-old"))).Should().ContainSingle().Subject;
            (finding.Revision, finding.State, finding.Offset).Should().Be((2, FindingState.Resolved, 4L));
            (await reopened.GetRunAsync("run-old"))!.EventCount.Should().Be(4);
            (await reopened.GetCommandsAsync("run-old")).Should().ContainSingle();
        }

        using var raw = OpenRaw(path);
        Scalar(raw, "PRAGMA user_version;").Should().Be(7L);
        Scalar(raw, "SELECT count(*) FROM finding_revisions;").Should().Be(2L);
        Scalar(raw, "SELECT count(*) FROM findings;").Should().Be(1L);
    }

    // The version-2 to version-3 step as it shipped, frozen for the same reason as VersionOneSchema.
    internal const string VersionTwoToThree = """
        ALTER TABLE runs ADD COLUMN hyperparameters TEXT;
        """;

    // The version-1 to version-2 step as it shipped, frozen for the same reason as VersionOneSchema.
    internal const string VersionOneToTwo = """
        ALTER TABLE events ADD COLUMN command_value REAL;
        ALTER TABLE events ADD COLUMN command_value_bits INTEGER;
        ALTER TABLE commands ADD COLUMN value REAL;
        ALTER TABLE commands ADD COLUMN value_bits INTEGER;
        """;

    // A frozen copy of the version-1 layout as it shipped, on purpose not shared with SqliteSchema: the migration must
    // keep working on files written by that version even if the schema's own version-1 step is ever edited.
    internal const string VersionOneSchema = """
        CREATE TABLE store_state (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            last_offset INTEGER NOT NULL);
        INSERT INTO store_state (id, last_offset) VALUES (1, 0);

        CREATE TABLE runs (
            run_key INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            model_name TEXT,
            parameter_count INTEGER,
            total_epochs INTEGER,
            steps_per_epoch INTEGER,
            started_at INTEGER NOT NULL,
            first_event_at INTEGER NOT NULL,
            last_event_at INTEGER NOT NULL,
            state TEXT NOT NULL,
            last_sequence INTEGER NOT NULL,
            last_offset INTEGER NOT NULL,
            last_step INTEGER,
            last_epoch INTEGER,
            event_count INTEGER NOT NULL);

        CREATE TABLE run_metric_names (
            run_key INTEGER NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (run_key, name)) WITHOUT ROWID;

        CREATE TABLE events (
            event_offset INTEGER PRIMARY KEY,
            run_key INTEGER NOT NULL,
            sequence INTEGER NOT NULL,
            kind TEXT NOT NULL,
            timestamp INTEGER NOT NULL,
            step INTEGER,
            epoch INTEGER,
            batch INTEGER,
            state TEXT,
            message TEXT,
            checkpoint_path TEXT,
            command_id TEXT,
            command_action TEXT,
            command_run_id TEXT,
            command_issued_at INTEGER,
            control_status TEXT);
        CREATE INDEX ix_events_run ON events (run_key, event_offset);

        CREATE TABLE metric_points (
            run_key INTEGER NOT NULL,
            event_offset INTEGER NOT NULL,
            name TEXT NOT NULL,
            step INTEGER NOT NULL,
            value REAL,
            value_bits INTEGER,
            sequence INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            PRIMARY KEY (run_key, event_offset, name)) WITHOUT ROWID;

        CREATE TABLE training_metrics (
            event_offset INTEGER NOT NULL,
            name TEXT NOT NULL,
            value REAL,
            value_bits INTEGER,
            PRIMARY KEY (event_offset, name)) WITHOUT ROWID;

        CREATE TABLE commands (
            event_offset INTEGER PRIMARY KEY,
            run_key INTEGER NOT NULL,
            command_id TEXT NOT NULL,
            action TEXT NOT NULL,
            issued_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            handled_at INTEGER NOT NULL,
            step INTEGER,
            message TEXT);
        CREATE INDEX ix_commands_run ON commands (run_key, event_offset);
        """;

    [Fact]
    public void Constructor_NewerSchemaVersion_DegradesWithOneWarning()
    {
        var path = _directory.File("store.db");
        using (var connection = OpenRaw(path))
        {
            Scalar(connection, "PRAGMA user_version = 99;");
        }

        var logger = new RecordingLogger<SqliteMetricStore>();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }, logger);

        store.IsDegraded.Should().BeTrue();
        logger.Entries.Should().ContainSingle().Which.Exception!.Message.Should().Contain("schema version 99");
    }

    [Fact]
    public async Task Constructor_ParentPathIsAFile_DegradesKeepsEventsInMemoryAndWarnsOnce()
    {
        var blocker = _directory.File("not-a-directory");
        await File.WriteAllTextAsync(blocker, "x");
        var logger = new RecordingLogger<SqliteMetricStore>();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = Path.Combine(blocker, "store.db") }, logger);
        var events = TwoRuns(out _, out _);

        await store.AppendAsync(events[..3]);
        await store.AppendAsync(events[3..]);

        store.IsDegraded.Should().BeTrue();
        logger.Entries.Should().ContainSingle();
        logger.Entries[0].Level.Should().Be(LogLevel.Warning);
        logger.Entries[0].Id.Name.Should().Be("SqliteStoreDegraded");
        logger.Entries[0].Message.Should().Contain(blocker).And.Contain("cannot be opened or created");
        (await store.ReadEventsAsync(0, 100)).Should().BeEquivalentTo(events, o => o.RespectingRuntimeTypes().WithStrictOrdering());
        (await store.GetRunsAsync(10)).Select(r => r.Run.Id).Should().Equal("run-a", "run-b");
        (await store.GetMetricsAsync(new TrainInsight.MetricQuery("run-b"))).Should().HaveCount(4);
        store.LoadState().LastOffset.Should().Be(6);
    }

    [Fact]
    public async Task Constructor_ReadOnlyDirectory_DegradesToMemory()
    {
        // chmod stops an ordinary user; root writes anyway.
        var readOnly = _directory.File("read-only");
        Directory.CreateDirectory(readOnly);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(readOnly, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        }

        if (CanCreateFileIn(readOnly))
        {
            // Root: procfs refuses new files to everyone; where it is not mounted (a chroot), a regular file as parent.
            var blocker = _directory.File("blocker");
            await File.WriteAllTextAsync(blocker, "x");
            readOnly = Directory.Exists("/proc/self/fd") ? "/proc/self" : blocker;
        }

        var logger = new RecordingLogger<SqliteMetricStore>();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = Path.Combine(readOnly, "store.db") }, logger);
        await store.AppendAsync([Metric(Run("run-a"), 1, 1, 1)]);

        store.IsDegraded.Should().BeTrue();
        logger.Entries.Should().ContainSingle();
        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(1);
    }

    [Fact]
    public async Task AppendAsync_DiskFull_DegradesKeepsTheFailedBatchAndMergesDiskWithMemory()
    {
        var logger = new RecordingLogger<SqliteMetricStore>();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db"), MaxPageCount = 40 }, logger);
        var run = Run("run-a");
        var offset = 0;
        var batches = 0;
        while (!store.IsDegraded)
        {
            batches.Should().BeLessThan(100, "40 pages of 4 KiB fill up long before 100 batches of 50 events");
            await store.AppendAsync([.. Enumerable.Range(0, 50).Select(_ => Metric(run, ++offset, offset, offset, TenMetrics(offset)))]);
            batches++;
        }

        var failedAt = offset;
        await store.AppendAsync([Control(run, ControlAction.Pause, ControlStatus.Rejected, ++offset, offset, offset, "busy")]);
        await store.AppendAsync([.. Enumerable.Range(0, 10).Select(_ => Metric(run, ++offset, offset, offset, TenMetrics(offset)))]);

        batches.Should().BeGreaterThan(1, "the first batches fit");
        logger.Entries.Should().ContainSingle().Which.Exception.Should().BeOfType<SqliteException>().Which.SqliteErrorCode.Should().Be(13, "SQLITE_FULL");
        var read = await store.ReadEventsAsync(0, 10_000);
        read.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, offset).Select(i => (long)i), "disk and memory together hold every event, the failed batch included");
        (await store.ReadEventsAsync(failedAt - 60, 20)).Select(e => e.Offset).Should().Equal(Enumerable.Range(failedAt - 59, 20).Select(i => (long)i));
        (await store.ReadEventsAsync(failedAt - 60, 20, "run-a")).Select(e => e.Offset).Should().Equal(Enumerable.Range(failedAt - 59, 20).Select(i => (long)i));
        var points = await store.GetMetricsAsync(new TrainInsight.MetricQuery("run-a") { Names = ["m3"], AfterStep = failedAt - 5, Limit = 100 });
        points.Select(p => p.Step).Should().Equal(Enumerable.Range(failedAt - 4, 5).Concat(Enumerable.Range(failedAt + 2, 10)).Select(i => (long)i));
        (await store.GetCommandsAsync("run-a")).Should().ContainSingle().Which.Message.Should().Be("busy");
        var summary = await store.GetRunAsync("run-a");
        summary!.EventCount.Should().Be(offset);
        summary.LastOffset.Should().Be(offset);
        store.LoadState().LastOffset.Should().Be(offset);
    }

    [Fact]
    public async Task AppendAsync_DatabaseBecomesReadOnly_DegradesWithoutThrowing()
    {
        var logger = new RecordingLogger<SqliteMetricStore>();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") }, logger);
        var run = Run("run-a");
        await store.AppendAsync([Metric(run, 1, 1, 1)]);

        store.ExecuteOnWriter("PRAGMA query_only = 1;");
        var append = () => store.AppendAsync([Metric(run, 2, 2, 2)]);

        await append.Should().NotThrowAsync();
        store.IsDegraded.Should().BeTrue();
        logger.Entries.Should().ContainSingle();
        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(1, 2);
    }

    [Fact]
    public async Task Bus_StoreFillsUpMidRun_NeverThrowsAndLosesNothing()
    {
        var logger = new RecordingLogger<SqliteMetricStore>();
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db"), MaxPageCount = 40 }, logger);
        var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(10) }, store);
        var run = Run("run-a");
        for (var step = 1; step <= 3_000; step++)
        {
            bus.TryPublish(new MetricEvent(run, step, TenMetrics(step))).Should().BeTrue();
            if (step % 500 == 0)
            {
                await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == step, $"the store confirmed step {step}");
            }
        }

        bus.Dispose();

        var statistics = bus.GetStatistics();
        statistics.StoreErrors.Should().Be(0);
        statistics.DroppedAtStore.Should().Be(0);
        store.IsDegraded.Should().BeTrue();
        logger.Entries.Should().ContainSingle();
        (await store.ReadEventsAsync(0, 10_000)).Select(e => ((MetricEvent)e).Step).Should().Equal(Enumerable.Range(1, 3_000).Select(i => (long)i));
    }

    [Fact]
    public async Task Bus_Restarted_ContinuesOffsetsAndEachRunsSequences()
    {
        var path = _directory.File("store.db");
        var a = new RunDescriptor("run-a");
        var b = new RunDescriptor("run-b");
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            using var bus = TelemetryBus.Create(store: store);
            foreach (var run in new[] { a, b, a, a, b })
            {
                bus.TryPublish(new MetricEvent(run, 1, null));
            }
        }

        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path }))
        {
            using var bus = TelemetryBus.Create(store: store);
            var c = new RunDescriptor("run-c");
            foreach (var run in new[] { b, c, a })
            {
                bus.TryPublish(new MetricEvent(run, 2, null));
            }
        }

        using var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        var events = await reopened.ReadEventsAsync(0, 100);
        events.Select(e => (e.Offset, e.RunId, e.Sequence)).Should().Equal(
            (1, "run-a", 1), (2, "run-b", 1), (3, "run-a", 2), (4, "run-a", 3), (5, "run-b", 2),
            (6, "run-b", 3), (7, "run-c", 1), (8, "run-a", 4));
        reopened.LoadState().LastSequences.Should().BeEquivalentTo(new Dictionary<string, long> { ["run-a"] = 4, ["run-b"] = 3, ["run-c"] = 1 });
    }

    [Fact]
    public async Task ReadEventsAsync_WhileTheBusWrites_AlwaysSeesAGapFreePrefix()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db") });
        using var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(10) }, store);
        var run = Run("run-a");
        const int total = 2_000;
        var writer = Task.Run(async () =>
        {
            for (var step = 1; step <= total; step++)
            {
                bus.TryPublish(new MetricEvent(run, step, TenMetrics(step)));
                if (step % 100 == 0)
                {
                    await Task.Delay(2);
                }
            }
        });

        using var deadline = new CancellationTokenSource(s_patience);
        long seen = 0;
        var reads = 0;
        while (seen < total)
        {
            deadline.Token.ThrowIfCancellationRequested();
            var events = await store.ReadEventsAsync(0, total + 10, cancellationToken: deadline.Token);
            events.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
            events.Count.Should().BeGreaterThanOrEqualTo((int)seen);
            seen = events.Count;
            reads++;
        }

        await writer;
        reads.Should().BeGreaterThan(1);
    }

    [Fact]
    public async Task AppendAsync_MaxEventsPerRun_KeepsEachRunsLatestEventsSummaryAndAuditTrail()
    {
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = _directory.File("store.db"), MaxEventsPerRun = 5 });
        var a = Run("run-a");
        var b = Run("run-b");
        var events = new List<TrainInsightEvent> { Control(a, ControlAction.Pause, ControlStatus.Applied, 1, 1, 0) };
        events.AddRange(Enumerable.Range(2, 11).Select(i => Metric(a, i, i, i)));
        events.Add(Metric(b, 13, 1, 1));

        await store.AppendAsync(events);

        (await store.ReadEventsAsync(0, 100, "run-a")).Select(e => e.Offset).Should().Equal(8, 9, 10, 11, 12);
        (await store.ReadEventsAsync(0, 100, "run-b")).Select(e => e.Offset).Should().Equal(13);
        (await store.GetMetricsAsync(new TrainInsight.MetricQuery("run-a"))).Select(p => p.Offset).Distinct().Should().Equal(8, 9, 10, 11, 12);
        (await store.GetRunAsync("run-a"))!.EventCount.Should().Be(12);
        (await store.GetCommandsAsync("run-a")).Should().ContainSingle();

        await store.AppendAsync([Metric(a, 14, 13, 13)]);
        store.ApplyRetention();
        (await store.ReadEventsAsync(0, 100, "run-a")).Select(e => e.Offset).Should().Equal(9, 10, 11, 12, 14);
    }

    [Fact]
    public async Task AppendAsync_MaxRuns_RemovesLeastRecentlyUpdatedRunsEntirely()
    {
        var path = _directory.File("store.db");
        using var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxRuns = 2, RetentionInterval = TimeSpan.Zero });
        var a = Run("run-a");
        await store.AppendAsync([Metric(a, 1, 1, 1), Control(a, ControlAction.Stop, ControlStatus.Applied, 2, 2, 1)]);
        await store.AppendAsync([Metric(Run("run-b"), 3, 1, 1)]);
        await store.AppendAsync([Metric(Run("run-c"), 4, 1, 1)]);

        (await store.GetRunsAsync(10)).Select(r => r.Run.Id).Should().Equal("run-c", "run-b");
        (await store.GetRunAsync("run-a")).Should().BeNull();
        (await store.ReadEventsAsync(0, 100)).Select(e => e.Offset).Should().Equal(3, 4);
        (await store.GetCommandsAsync("run-a")).Should().BeEmpty();
        (await store.GetMetricsAsync(new TrainInsight.MetricQuery("run-a"))).Should().BeEmpty();
        using var connection = OpenRaw(path);
        Scalar(connection, "SELECT count(*) FROM metric_points;").Should().Be(4L);
        Scalar(connection, "SELECT count(*) FROM run_metric_names;").Should().Be(4L);
    }

    [Fact]
    public async Task AppendAsync_MaxAge_RemovesRunsIdleForLongerButKeepsTheOffsetForRestart()
    {
        var path = _directory.File("store.db");
        var now = DateTimeOffset.UtcNow;
        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxAge = TimeSpan.FromHours(1) }))
        {
            await store.AppendAsync(
            [
                new MetricEvent(Run("old"), 1, null, now.AddHours(-3)) { Offset = 1, Sequence = 1 },
                new MetricEvent(Run("old"), 2, null, now.AddHours(-2)) { Offset = 2, Sequence = 2 },
                new MetricEvent(Run("recent"), 1, null, now.AddHours(-2)) { Offset = 3, Sequence = 1 },
                new MetricEvent(Run("recent"), 2, null, now) { Offset = 4, Sequence = 2 },
            ]);

            (await store.GetRunsAsync(10)).Select(r => r.Run.Id).Should().Equal("recent");
            (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(3, 4);
        }

        using (var store = new SqliteMetricStore(new SqliteStoreOptions { Path = path, MaxAge = TimeSpan.FromMinutes(1) }))
        {
            await store.AppendAsync([new MetricEvent(Run("recent"), 3, null, now.AddHours(-1)) { Offset = 5, Sequence = 3 }]);
            (await store.GetRunsAsync(10)).Should().BeEmpty();
        }

        using var reopened = new SqliteMetricStore(new SqliteStoreOptions { Path = path });
        reopened.LoadState().LastOffset.Should().Be(5, "offsets continue after retention removed every run");
        reopened.LoadState().LastSequences.Should().BeEmpty();
    }

    private static Dictionary<string, double> TenMetrics(long step) =>
        Enumerable.Range(0, 10).ToDictionary(i => "m" + i, i => step + (i / 10.0));

    private static bool CanCreateFileIn(string directory)
    {
        try
        {
            File.WriteAllText(Path.Combine(directory, "probe"), "x");
            File.Delete(Path.Combine(directory, "probe"));
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
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
