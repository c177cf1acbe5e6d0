using System.Globalization;
using Microsoft.Data.Sqlite;
using TrainInsight.Wire;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// The store's one write connection with its prepared statements. Used by one thread at a time (the store's write gate).
/// </summary>
internal sealed class SqliteWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly List<SqliteCommand> _commands = [];
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _insertPoint;
    private readonly SqliteCommand _insertTrainingMetric;
    private readonly SqliteCommand _insertCommand;
    private readonly SqliteCommand _upsertRun;
    private readonly SqliteCommand _insertName;
    private readonly SqliteCommand _updateState;
    private readonly SqliteCommand _insertFindingRevision;
    private readonly SqliteCommand _upsertFinding;
    private readonly SqliteProposalWriter _proposals;

    private SqliteWriter(SqliteConnection connection)
    {
        _connection = connection;
        _insertEvent = Prepare(
            """
            INSERT INTO events (event_offset, run_key, sequence, kind, timestamp, step, epoch, batch, state, message,
                checkpoint_path, command_id, command_action, command_run_id, command_issued_at, control_status,
                command_value, command_value_bits)
            VALUES ($offset, $run, $sequence, $kind, $timestamp, $step, $epoch, $batch, $state, $message,
                $checkpoint, $command_id, $command_action, $command_run_id, $command_issued_at, $control_status,
                $command_value, $command_value_bits);
            """,
            "$offset", "$run", "$sequence", "$kind", "$timestamp", "$step", "$epoch", "$batch", "$state", "$message",
            "$checkpoint", "$command_id", "$command_action", "$command_run_id", "$command_issued_at", "$control_status",
            "$command_value", "$command_value_bits");
        _insertPoint = Prepare(
            """
            INSERT INTO metric_points (run_key, event_offset, name, step, value, value_bits, sequence, timestamp)
            VALUES ($run, $offset, $name, $step, $value, $bits, $sequence, $timestamp);
            """,
            "$run", "$offset", "$name", "$step", "$value", "$bits", "$sequence", "$timestamp");
        _insertTrainingMetric = Prepare(
            "INSERT INTO training_metrics (event_offset, name, value, value_bits) VALUES ($offset, $name, $value, $bits);",
            "$offset", "$name", "$value", "$bits");
        _insertCommand = Prepare(
            """
            INSERT INTO commands (event_offset, run_key, command_id, action, issued_at, status, handled_at, step, message,
                value, value_bits)
            VALUES ($offset, $run, $id, $action, $issued_at, $status, $handled_at, $step, $message, $value, $bits);
            """,
            "$offset", "$run", "$id", "$action", "$issued_at", "$status", "$handled_at", "$step", "$message", "$value", "$bits");
        _upsertRun = Prepare(
            """
            INSERT INTO runs (run_key, id, name, model_name, parameter_count, total_epochs, steps_per_epoch, started_at,
                first_event_at, last_event_at, state, last_sequence, last_offset, last_step, last_epoch, event_count, hyperparameters)
            VALUES ($key, $id, $name, $model, $parameters, $epochs, $steps_per_epoch, $started_at,
                $first_event_at, $last_event_at, $state, $last_sequence, $last_offset, $last_step, $last_epoch, $event_count, $hyperparameters)
            ON CONFLICT (run_key) DO UPDATE SET last_event_at = excluded.last_event_at, state = excluded.state,
                last_sequence = excluded.last_sequence, last_offset = excluded.last_offset, last_step = excluded.last_step,
                last_epoch = excluded.last_epoch, event_count = excluded.event_count;
            """,
            "$key", "$id", "$name", "$model", "$parameters", "$epochs", "$steps_per_epoch", "$started_at",
            "$first_event_at", "$last_event_at", "$state", "$last_sequence", "$last_offset", "$last_step", "$last_epoch", "$event_count", "$hyperparameters");
        _insertName = Prepare("INSERT OR IGNORE INTO run_metric_names (run_key, name) VALUES ($run, $name);", "$run", "$name");
        _updateState = Prepare("UPDATE store_state SET last_offset = max(last_offset, $offset) WHERE id = 1;", "$offset");
        _insertFindingRevision = Prepare(
            """
            INSERT INTO finding_revisions (event_offset, finding_id, label, severity, state, message, confidence, confidence_bits,
                revision, first_step, first_seen_at, evidence, fixes)
            VALUES ($offset, $id, $label, $severity, $state, $message, $confidence, $confidence_bits,
                $revision, $first_step, $first_seen_at, $evidence, $fixes);
            """,
            "$offset", "$id", "$label", "$severity", "$state", "$message", "$confidence", "$confidence_bits",
            "$revision", "$first_step", "$first_seen_at", "$evidence", "$fixes");

        // The latest revision of each finding, by offset; first_offset (where it was first raised) orders the findings.
        _upsertFinding = Prepare(
            """
            INSERT INTO findings (run_key, finding_id, first_offset, event_offset, sequence, timestamp, label, severity, state, message,
                confidence, confidence_bits, revision, first_step, step, first_seen_at, evidence, fixes)
            VALUES ($run, $id, $offset, $offset, $sequence, $timestamp, $label, $severity, $state, $message,
                $confidence, $confidence_bits, $revision, $first_step, $step, $first_seen_at, $evidence, $fixes)
            ON CONFLICT (run_key, finding_id) DO UPDATE SET event_offset = excluded.event_offset, sequence = excluded.sequence,
                timestamp = excluded.timestamp, label = excluded.label, severity = excluded.severity, state = excluded.state,
                message = excluded.message, confidence = excluded.confidence, confidence_bits = excluded.confidence_bits,
                revision = excluded.revision, first_step = excluded.first_step, step = excluded.step,
                first_seen_at = excluded.first_seen_at, evidence = excluded.evidence, fixes = excluded.fixes
            WHERE excluded.event_offset > findings.event_offset;
            """,
            "$run", "$id", "$offset", "$sequence", "$timestamp", "$label", "$severity", "$state", "$message",
            "$confidence", "$confidence_bits", "$revision", "$first_step", "$step", "$first_seen_at", "$evidence", "$fixes");
        _proposals = new SqliteProposalWriter(Prepare);
    }

    /// <summary>Opens (creating when missing) the database, switches it to WAL and prepares the statements.</summary>
    public static SqliteWriter Open(string connectionString, SqliteStoreOptions options)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();

            // WAL: readers (REST endpoints, resuming streams) never block the writer and the writer never blocks them.
            // synchronous=NORMAL rather than FULL: in WAL mode NORMAL fsyncs only at checkpoints, FULL after every commit.
            // A commit is in the WAL file, so in the OS page cache, before COMMIT returns: killing the process (SIGKILL,
            // a crash, an OOM kill) loses nothing committed, which is what "loses at most the last flush interval" asks.
            // Only a power cut or kernel crash can roll back the commits since the last checkpoint (never corrupt the
            // file); an fsync per flush would not buy more against process death and costs milliseconds per batch on
            // slow disks.
            Execute(connection, "PRAGMA journal_mode = WAL;");
            Execute(connection, "PRAGMA synchronous = NORMAL;");
            Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds};"));
            if (options.MaxPageCount is { } pages)
            {
                Execute(connection, string.Create(CultureInfo.InvariantCulture, $"PRAGMA max_page_count = {pages};"));
            }

            SqliteSchema.Ensure(connection);
            return new SqliteWriter(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Gets the write connection (startup reads and retention run on it, under the store's write gate).</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>Writes one batch in one transaction: all of it, or (throwing) none of it.</summary>
    /// <param name="batch">
    /// The events, in offset order: <see cref="MetricEvent"/>s, <see cref="TrainingEvent"/>s, <see cref="FindingEvent"/>s,
    /// <see cref="ProposalEvent"/>s and <see cref="AssistantAnalysisEvent"/>s only.
    /// </param>
    /// <param name="runKeys">The database key of each event's run.</param>
    /// <param name="runs">The summaries of the runs the batch touched, after the batch.</param>
    /// <param name="newNames">Metric names the runs had not reported before.</param>
    public void Write(List<TrainInsightEvent> batch, List<long> runKeys, IEnumerable<SqliteRun> runs, List<(long RunKey, string Name)> newNames)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        foreach (var command in _commands)
        {
            command.Transaction = transaction;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            WriteEvent(batch[i], runKeys[i]);
        }

        foreach (var run in runs)
        {
            WriteRun(run);
        }

        foreach (var (runKey, name) in newNames)
        {
            _insertName.Parameters[0].Value = runKey;
            _insertName.Parameters[1].Value = name;
            _insertName.ExecuteNonQuery();
        }

        _updateState.Parameters[0].Value = batch[^1].Offset;
        _updateState.ExecuteNonQuery();
        transaction.Commit();
    }

    /// <summary>Runs a statement on the write connection (tests use it to make writes fail).</summary>
    public void Execute(string sql) => Execute(_connection, sql);

    public void Dispose()
    {
        foreach (var command in _commands)
        {
            command.Dispose();
        }

        _connection.Dispose();
    }

    private void WriteEvent(TrainInsightEvent item, long runKey)
    {
        var p = _insertEvent.Parameters;
        var offset = item.Offset;
        var timestamp = StoredValues.ToTicks(item.Timestamp);
        p[0].Value = offset;
        p[1].Value = runKey;
        p[2].Value = item.Sequence;
        p[4].Value = timestamp;
        if (item is MetricEvent metrics)
        {
            p[3].Value = "Metric";
            p[5].Value = metrics.Step;
            p[6].Value = Nullable(metrics.Epoch);
            p[7].Value = Nullable(metrics.Batch);
            for (var i = 8; i < p.Count; i++)
            {
                p[i].Value = DBNull.Value;
            }

            _insertEvent.ExecuteNonQuery();
            WritePoints(metrics, runKey, timestamp);
            return;
        }

        if (item is FindingEvent finding)
        {
            p[3].Value = "Finding";
            p[5].Value = finding.Step;
            for (var i = 6; i < p.Count; i++)
            {
                p[i].Value = DBNull.Value;
            }

            _insertEvent.ExecuteNonQuery();
            WriteFinding(finding, runKey, timestamp);
            return;
        }

        if (item is ProposalEvent proposal)
        {
            p[3].Value = SqliteProposalReads.ProposalKind;
            p[5].Value = Nullable(proposal.AppliedStep);
            for (var i = 6; i < p.Count; i++)
            {
                p[i].Value = DBNull.Value;
            }

            _insertEvent.ExecuteNonQuery();
            _proposals.Write(proposal, runKey, timestamp);
            return;
        }

        if (item is AssistantAnalysisEvent analysis)
        {
            p[3].Value = SqliteProposalReads.AnalysisKind;
            p[5].Value = Nullable(analysis.Step);
            p[6].Value = Nullable(analysis.Epoch);
            for (var i = 7; i < p.Count; i++)
            {
                p[i].Value = DBNull.Value;
            }

            _insertEvent.ExecuteNonQuery();
            _proposals.Write(analysis);
            return;
        }

        var training = (TrainingEvent)item;
        p[3].Value = training.Kind.ToString();
        p[5].Value = Nullable(training.Step);
        p[6].Value = Nullable(training.Epoch);
        p[7].Value = DBNull.Value;
        p[8].Value = training.State is { } state ? state.ToString() : DBNull.Value;
        p[9].Value = (object?)training.Message ?? DBNull.Value;
        p[10].Value = (object?)training.CheckpointPath ?? DBNull.Value;
        p[11].Value = (object?)training.Command?.Id ?? DBNull.Value;
        p[12].Value = training.Command is { } command ? command.Action.ToString() : DBNull.Value;
        p[13].Value = (object?)training.Command?.RunId ?? DBNull.Value;
        p[14].Value = training.Command is { } issued ? StoredValues.ToTicks(issued.IssuedAt) : DBNull.Value;
        p[15].Value = training.ControlStatus is { } status ? status.ToString() : DBNull.Value;
        p[16].Value = training.Command?.Value is { } commandValue ? StoredValues.ToValueColumn(commandValue) : DBNull.Value;
        p[17].Value = training.Command?.Value is { } commandBits ? StoredValues.ToBitsColumn(commandBits) : DBNull.Value;
        _insertEvent.ExecuteNonQuery();

        foreach (var (name, value) in training.Metrics)
        {
            var m = _insertTrainingMetric.Parameters;
            m[0].Value = offset;
            m[1].Value = name;
            m[2].Value = StoredValues.ToValueColumn(value);
            m[3].Value = StoredValues.ToBitsColumn(value);
            _insertTrainingMetric.ExecuteNonQuery();
        }

        // The audit trail: the same rule as every store (Core's ControlRecords).
        if (training is { Kind: TrainingEventKind.ControlApplied, Command: { } handled, ControlStatus: { } outcome })
        {
            var c = _insertCommand.Parameters;
            c[0].Value = offset;
            c[1].Value = runKey;
            c[2].Value = handled.Id;
            c[3].Value = handled.Action.ToString();
            c[4].Value = StoredValues.ToTicks(handled.IssuedAt);
            c[5].Value = outcome.ToString();
            c[6].Value = timestamp;
            c[7].Value = Nullable(training.Step);
            c[8].Value = (object?)training.Message ?? DBNull.Value;
            c[9].Value = handled.Value is { } value ? StoredValues.ToValueColumn(value) : DBNull.Value;
            c[10].Value = handled.Value is { } bits ? StoredValues.ToBitsColumn(bits) : DBNull.Value;
            _insertCommand.ExecuteNonQuery();
        }
    }

    private void WriteFinding(FindingEvent finding, long runKey, long timestamp)
    {
        var evidence = FindingJson.WriteEvidence(finding.Evidence);
        var fixes = FindingJson.WriteFixes(finding.Fixes);
        var r = _insertFindingRevision.Parameters;
        r[0].Value = finding.Offset;
        r[1].Value = finding.FindingId;
        r[2].Value = finding.Label;
        r[3].Value = finding.Severity.ToString();
        r[4].Value = finding.State.ToString();
        r[5].Value = finding.Message;
        r[6].Value = StoredValues.ToValueColumn(finding.Confidence);
        r[7].Value = StoredValues.ToBitsColumn(finding.Confidence);
        r[8].Value = finding.Revision;
        r[9].Value = finding.FirstStep;
        r[10].Value = StoredValues.ToTicks(finding.FirstSeenAt);
        r[11].Value = evidence;
        r[12].Value = fixes;
        _insertFindingRevision.ExecuteNonQuery();

        var f = _upsertFinding.Parameters;
        f[0].Value = runKey;
        f[1].Value = finding.FindingId;
        f[2].Value = finding.Offset;
        f[3].Value = finding.Sequence;
        f[4].Value = timestamp;
        f[5].Value = finding.Label;
        f[6].Value = finding.Severity.ToString();
        f[7].Value = finding.State.ToString();
        f[8].Value = finding.Message;
        f[9].Value = StoredValues.ToValueColumn(finding.Confidence);
        f[10].Value = StoredValues.ToBitsColumn(finding.Confidence);
        f[11].Value = finding.Revision;
        f[12].Value = finding.FirstStep;
        f[13].Value = finding.Step;
        f[14].Value = StoredValues.ToTicks(finding.FirstSeenAt);
        f[15].Value = evidence;
        f[16].Value = fixes;
        _upsertFinding.ExecuteNonQuery();
    }

    private void WritePoints(MetricEvent metrics, long runKey, long timestamp)
    {
        var p = _insertPoint.Parameters;
        p[0].Value = runKey;
        p[1].Value = metrics.Offset;
        p[3].Value = metrics.Step;
        p[6].Value = metrics.Sequence;
        p[7].Value = timestamp;

        // A Dictionary is enumerated through its struct enumerator: no allocation per event.
        if (metrics.Values is Dictionary<string, double> dictionary)
        {
            foreach (var (name, value) in dictionary)
            {
                WritePoint(p, name, value);
            }
        }
        else
        {
            foreach (var (name, value) in metrics.Values)
            {
                WritePoint(p, name, value);
            }
        }
    }

    private void WritePoint(SqliteParameterCollection p, string name, double value)
    {
        p[2].Value = name;
        p[4].Value = StoredValues.ToValueColumn(value);
        p[5].Value = StoredValues.ToBitsColumn(value);
        _insertPoint.ExecuteNonQuery();
    }

    private void WriteRun(SqliteRun stored)
    {
        var p = _upsertRun.Parameters;
        var run = stored.Summary;
        var d = run.Run;
        p[0].Value = stored.Key;
        p[1].Value = d.Id;
        p[2].Value = d.Name;
        p[3].Value = (object?)d.ModelName ?? DBNull.Value;
        p[4].Value = Nullable(d.ParameterCount);
        p[5].Value = Nullable(d.TotalEpochs);
        p[6].Value = Nullable(d.StepsPerEpoch);
        p[7].Value = StoredValues.ToTicks(d.StartedAt);
        p[8].Value = StoredValues.ToTicks(run.FirstEventAt);
        p[9].Value = StoredValues.ToTicks(run.LastEventAt);
        p[10].Value = run.State.ToString();
        p[11].Value = run.LastSequence;
        p[12].Value = run.LastOffset;
        p[13].Value = Nullable(run.LastStep);
        p[14].Value = Nullable(run.LastEpoch);
        p[15].Value = run.EventCount;
        p[16].Value = d.Hyperparameters.Count > 0 ? HyperparameterJsonConverter.ToJson(d.Hyperparameters) : DBNull.Value;
        _upsertRun.ExecuteNonQuery();
    }

    private static object Nullable<T>(T? value)
        where T : struct => value.HasValue ? value.Value : DBNull.Value;

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name, Value = DBNull.Value });
        }

        _commands.Add(command);
        command.Prepare();
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
