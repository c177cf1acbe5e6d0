using Microsoft.Data.Sqlite;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// The database layout, versioned with <c>PRAGMA user_version</c>. Times are UTC ticks (INTEGER); enums are their
/// names (TEXT), so the audit trail reads well in any SQLite tool; doubles are a <c>value</c>/<c>value_bits</c> pair
/// (see <see cref="StoredValues"/>). Runs get a small integer key so that metric points do not repeat the run id.
/// </summary>
internal static class SqliteSchema
{
    public const int Version = 7;

    // Version 7: an index for reads of some metrics of a run (a chart's), in offset order: run, name, then offset, and
    // every other column such a read returns, so that it reads only those metrics' rows (metric_points is clustered by
    // run and offset: a read of two metrics of six would otherwise read all six) and never the table. See
    // SqliteReads.StreamMetricsAsync.
    private const string MigrateV6ToV7 = """
        CREATE INDEX ix_metric_points_name ON metric_points (run_key, name, event_offset, step, value, value_bits, sequence, timestamp);
        """;

    // Version 6: proposals and the assistant's automatic analyses. Every revision of a proposal is an event (kind
    // 'Proposal') with its details in proposal_revisions, which also keeps the event's run, sequence and time: the
    // revisions are the proposal's audit trail, so they outlive the trimming of old events (MaxEventsPerRun) and go only
    // with their run. proposals points at the latest revision of each proposal (an upsert by offset); first_offset (where
    // it was made) orders GetProposalsAsync, newest first. Commands, command ids, previous values and the outcome are JSON
    // (see ProposalJson). An analysis is an event (kind 'AssistantAnalysis', its step and epoch in events) with its text
    // in assistant_analyses, trimmed with the events like any other.
    private const string MigrateV5ToV6 = """
        CREATE TABLE proposal_revisions (
            event_offset INTEGER PRIMARY KEY,
            run_key INTEGER NOT NULL,
            proposal_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            timestamp INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            state TEXT NOT NULL,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            rationale TEXT,
            expected_effect TEXT,
            finding_id TEXT,
            finding_label TEXT,
            target_metric TEXT,
            actor TEXT,
            reason TEXT,
            auto_applied INTEGER NOT NULL,
            checkpoint_path TEXT,
            applied_step INTEGER,
            revert_of TEXT,
            superseded_by TEXT,
            commands TEXT NOT NULL,
            command_ids TEXT NOT NULL,
            previous_values TEXT NOT NULL,
            outcome TEXT);
        CREATE INDEX ix_proposal_revisions_proposal ON proposal_revisions (proposal_id, event_offset);
        CREATE INDEX ix_proposal_revisions_run ON proposal_revisions (run_key);

        CREATE TABLE proposals (
            proposal_id TEXT PRIMARY KEY,
            run_key INTEGER NOT NULL,
            first_offset INTEGER NOT NULL,
            event_offset INTEGER NOT NULL,
            state TEXT NOT NULL) WITHOUT ROWID;
        CREATE INDEX ix_proposals_first ON proposals (first_offset);
        CREATE INDEX ix_proposals_run ON proposals (run_key, first_offset);
        CREATE INDEX ix_proposals_state ON proposals (state, first_offset);

        CREATE TABLE assistant_analyses (
            event_offset INTEGER PRIMARY KEY,
            analysis_trigger TEXT NOT NULL,
            source TEXT NOT NULL,
            text TEXT NOT NULL,
            finding_id TEXT,
            language TEXT,
            notice TEXT,
            model_id TEXT,
            proposal_ids TEXT NOT NULL);
        """;

    // Version 5: the assistant's conversations, one row per message, oldest first by message_order (AUTOINCREMENT: an
    // order is never reused, even after retention removed the newest rows). Keyed by the run's id, not its run_key: the
    // assistant may write a conversation before the bus stored the run's first batch. Retention removes a run's
    // conversations with the run. role and source are enum names; source is NULL for a user message.
    private const string MigrateV4ToV5 = """
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

    // Version 4: findings. Every revision of a finding is an event (kind 'Finding') with its details in
    // finding_revisions; findings holds the latest revision of each finding of a run (an upsert), read by
    // GetFindingsAsync, and outlives the trimming of old events like the audit trail. Evidence and fixes are JSON arrays
    // (see FindingJson); a double in them is "value" (a JSON number) or, for NaN, infinities and -0.0, "value_bits".
    private const string MigrateV3ToV4 = """
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

    // Version 3: the run's hyperparameters, as a JSON object (NULL when it has none).
    private const string MigrateV2ToV3 = """
        ALTER TABLE runs ADD COLUMN hyperparameters TEXT;
        """;

    // Version 2: the argument of a control command (set_learning_rate, set_weight_decay), as a value/value_bits pair so
    // that a rejected NaN or infinite argument is audited exactly.
    private const string MigrateV1ToV2 = """
        ALTER TABLE events ADD COLUMN command_value REAL;
        ALTER TABLE events ADD COLUMN command_value_bits INTEGER;
        ALTER TABLE commands ADD COLUMN value REAL;
        ALTER TABLE commands ADD COLUMN value_bits INTEGER;
        """;

    private const string CreateV1 = """
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

    /// <summary>Creates the tables of a new database, migrates an older one, or checks the version of a current one.</summary>
    /// <exception cref="InvalidOperationException">The database was written by a newer version.</exception>
    public static void Ensure(SqliteConnection connection)
    {
        var version = ReadVersion(connection, null);
        if (version == Version)
        {
            return;
        }

        if (version > Version || version < 0)
        {
            throw new InvalidOperationException($"The database has schema version {version}; this version of TrainInsight.Sqlite reads versions 1 to {Version}.");
        }

        // BEGIN IMMEDIATE, then look again: another process may have created or migrated the tables meanwhile.
        using var transaction = connection.BeginTransaction(deferred: false);
        version = ReadVersion(connection, transaction);
        if (version == Version)
        {
            return;
        }

        var sql = version switch
        {
            0 => CreateV1 + MigrateV1ToV2 + MigrateV2ToV3 + MigrateV3ToV4 + MigrateV4ToV5 + MigrateV5ToV6 + MigrateV6ToV7,
            1 => MigrateV1ToV2 + MigrateV2ToV3 + MigrateV3ToV4 + MigrateV4ToV5 + MigrateV5ToV6 + MigrateV6ToV7,
            2 => MigrateV2ToV3 + MigrateV3ToV4 + MigrateV4ToV5 + MigrateV5ToV6 + MigrateV6ToV7,
            3 => MigrateV3ToV4 + MigrateV4ToV5 + MigrateV5ToV6 + MigrateV6ToV7,
            4 => MigrateV4ToV5 + MigrateV5ToV6 + MigrateV6ToV7,
            5 => MigrateV5ToV6 + MigrateV6ToV7,
            6 => MigrateV6ToV7,
            _ => throw new InvalidOperationException($"The database has schema version {version}; this version of TrainInsight.Sqlite reads versions 1 to {Version}."),
        };
        using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = sql + $"PRAGMA user_version = {Version};";
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private static int ReadVersion(SqliteConnection connection, SqliteTransaction? transaction) =>
        Convert.ToInt32(Scalar(connection, "PRAGMA user_version;", transaction), System.Globalization.CultureInfo.InvariantCulture);

    public static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
