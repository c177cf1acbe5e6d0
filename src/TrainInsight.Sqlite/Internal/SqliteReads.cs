using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TrainInsight.Wire;

namespace TrainInsight.Sqlite.Internal;

/// <summary>The store's queries. Each runs on its own pooled connection, in one read transaction (one WAL snapshot).</summary>
internal static class SqliteReads
{
    private const string RunKeyOf = "(SELECT run_key FROM runs WHERE id = $run)";

    /// <summary>
    /// Reads a <see cref="RunDescriptor"/> from 7 columns (id, name, model, parameters, epochs, steps per epoch, started
    /// at) and the hyperparameters column.
    /// </summary>
    /// <exception cref="InvalidDataException">The hyperparameters column holds something this store never writes.</exception>
    public static RunDescriptor ReadDescriptor(SqliteDataReader reader, int first, int hyperparameters) => new(reader.GetString(first))
    {
        Name = reader.GetString(first + 1),
        ModelName = reader.IsDBNull(first + 2) ? null : reader.GetString(first + 2),
        ParameterCount = reader.IsDBNull(first + 3) ? null : reader.GetInt64(first + 3),
        TotalEpochs = reader.IsDBNull(first + 4) ? null : reader.GetInt32(first + 4),
        StepsPerEpoch = reader.IsDBNull(first + 5) ? null : reader.GetInt32(first + 5),
        StartedAt = StoredValues.FromTicks(reader.GetInt64(first + 6)),
        Hyperparameters = reader.IsDBNull(hyperparameters) ? s_noHyperparameters : ReadHyperparameters(reader.GetString(first), reader.GetString(hyperparameters)),
    };

    private static readonly Dictionary<string, HyperparameterValue> s_noHyperparameters = new(StringComparer.Ordinal);

    private static IReadOnlyDictionary<string, HyperparameterValue> ReadHyperparameters(string runId, string json)
    {
        try
        {
            return HyperparameterJsonConverter.FromJson(json);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"The stored hyperparameters of run '{runId}' are not a JSON object of names to numbers, strings and booleans: {ex.Message}", ex);
        }
    }

    public static async Task<List<TrainInsightEvent>> ReadEventsAsync(SqliteConnection connection, long afterOffset, int limit, string? runId, CancellationToken cancellationToken)
    {
        using var transaction = connection.BeginTransaction(deferred: true);
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            SELECT e.event_offset, e.run_key, e.sequence, e.kind, e.timestamp, e.step, e.epoch, e.batch, e.state, e.message,
                e.checkpoint_path, e.command_id, e.command_action, e.command_run_id, e.command_issued_at, e.control_status,
                p.name, p.value, p.value_bits,
                r.id, r.name, r.model_name, r.parameter_count, r.total_epochs, r.steps_per_epoch, r.started_at,
                e.command_value, e.command_value_bits, r.hyperparameters
            FROM (SELECT * FROM events WHERE event_offset > $after {(runId is null ? string.Empty : "AND run_key = " + RunKeyOf)}
                  ORDER BY event_offset LIMIT $limit) AS e
            JOIN runs AS r ON r.run_key = e.run_key
            LEFT JOIN metric_points AS p ON p.run_key = e.run_key AND p.event_offset = e.event_offset
            ORDER BY e.event_offset;
            """;
        command.Parameters.AddWithValue("$after", afterOffset);
        command.Parameters.AddWithValue("$limit", limit);
        if (runId is not null)
        {
            command.Parameters.AddWithValue("$run", runId);
        }

        // One descriptor per run per read, shared by all its events.
        var runs = new Dictionary<long, RunDescriptor>();
        var result = new List<TrainInsightEvent>();
        List<(int Index, TrainingRow Row)>? training = null;
        Dictionary<long, (int Index, FindingHead Head)>? findings = null;
        Dictionary<long, SqliteProposalReads.Placeholder>? details = null;
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            long current = -1;
            Dictionary<string, double>? values = null;
            MetricRow metric = default;
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var offset = reader.GetInt64(0);
                if (offset != current)
                {
                    if (values is not null)
                    {
                        result.Add(metric.ToEvent(values));
                        values = null;
                    }

                    current = offset;
                    var runKey = reader.GetInt64(1);
                    if (!runs.TryGetValue(runKey, out var run))
                    {
                        run = ReadDescriptor(reader, 19, 28);
                        runs.Add(runKey, run);
                    }

                    var kind = reader.GetString(3);
                    if (kind == "Metric")
                    {
                        metric = new MetricRow(run, offset, reader.GetInt64(2), reader.GetInt64(4), reader.GetInt64(5), NullableInt(reader, 6), NullableInt(reader, 7));
                        values = new Dictionary<string, double>(StringComparer.Ordinal);
                    }
                    else if (kind == "Finding")
                    {
                        // Built from its finding_revisions row, below.
                        (findings ??= []).Add(offset, (result.Count, new FindingHead(run, reader.GetInt64(2), reader.GetInt64(4), reader.GetInt64(5))));
                        result.Add(null!);
                        continue;
                    }
                    else if (kind is SqliteProposalReads.ProposalKind or SqliteProposalReads.AnalysisKind)
                    {
                        // Built from its proposal_revisions or assistant_analyses row, below.
                        var step = reader.IsDBNull(5) ? (long?)null : reader.GetInt64(5);
                        (details ??= []).Add(offset, new(result.Count, kind, run, reader.GetInt64(2), reader.GetInt64(4), step, NullableInt(reader, 6)));
                        result.Add(null!);
                        continue;
                    }
                    else
                    {
                        // Built once its summary metrics are read, below.
                        (training ??= []).Add((result.Count, ReadTrainingRow(reader, run, offset, kind)));
                        result.Add(null!);
                        continue;
                    }
                }

                if (values is not null && !reader.IsDBNull(16))
                {
                    values[reader.GetString(16)] = StoredValues.Read(reader, 17, 18);
                }
            }

            if (values is not null)
            {
                result.Add(metric.ToEvent(values));
            }
        }

        if (training is not null)
        {
            var summaries = await ReadTrainingMetricsAsync(connection, transaction, training[0].Row.Offset, training[^1].Row.Offset, cancellationToken).ConfigureAwait(false);
            foreach (var (index, row) in training)
            {
                result[index] = row.ToEvent(summaries.GetValueOrDefault(row.Offset));
            }
        }

        if (findings is not null)
        {
            await ReadFindingRevisionsAsync(connection, transaction, findings, result, cancellationToken).ConfigureAwait(false);
        }

        if (details is not null)
        {
            await SqliteProposalReads.FillAsync(connection, transaction, details, result, cancellationToken).ConfigureAwait(false);
        }

        return result;
    }

    /// <summary>The latest revision of each finding of a run, in the order they were first raised, filtered by that revision.</summary>
    public static async Task<List<FindingEvent>> ReadFindingsAsync(SqliteConnection connection, FindingQuery query, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        var filter = new System.Text.StringBuilder();
        if (query.State is { } state)
        {
            filter.Append(" AND f.state = $state");
            command.Parameters.AddWithValue("$state", state.ToString());
        }

        if (query.MinSeverity is { } min)
        {
            // Severities are stored by name: the names of those at least as severe.
            var severities = Enum.GetValues<FindingSeverity>().Where(s => s >= min).ToArray();
            filter.Append(" AND f.severity IN (");
            for (var i = 0; i < severities.Length; i++)
            {
                var name = "$s" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                filter.Append(i == 0 ? name : ", " + name);
                command.Parameters.AddWithValue(name, severities[i].ToString());
            }

            filter.Append(')');
        }

        command.CommandText = $"""
            SELECT {FindingColumns("f")}, f.timestamp, f.step, f.sequence, f.event_offset,
                r.id, r.name, r.model_name, r.parameter_count, r.total_epochs, r.steps_per_epoch, r.started_at, r.hyperparameters
            FROM findings AS f JOIN runs AS r ON r.run_key = f.run_key
            WHERE f.run_key = {RunKeyOf}{filter}
            ORDER BY f.first_offset LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$run", query.RunId);
        command.Parameters.AddWithValue("$limit", query.Limit);
        var result = new List<FindingEvent>();
        RunDescriptor? run = null;
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            run ??= ReadDescriptor(reader, FindingColumnCount + 4, FindingColumnCount + 11);
            var head = new FindingHead(run, reader.GetInt64(FindingColumnCount + 2), reader.GetInt64(FindingColumnCount), reader.GetInt64(FindingColumnCount + 1));
            result.Add(ReadFinding(reader, head, reader.GetInt64(FindingColumnCount + 3)));
        }

        return result;
    }

    public static async Task<List<MetricPoint>> ReadMetricsAsync(SqliteConnection connection, MetricQuery query, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        var filter = new System.Text.StringBuilder();
        if (query.AfterStep is { } afterStep)
        {
            filter.Append(" AND step > $after_step");
            command.Parameters.AddWithValue("$after_step", afterStep);
        }

        if (query.Names is { } names)
        {
            var distinct = names.Distinct(StringComparer.Ordinal).ToArray();
            if (distinct.Length == 0)
            {
                return [];
            }

            filter.Append(" AND name IN (");
            for (var i = 0; i < distinct.Length; i++)
            {
                filter.Append(i == 0 ? "$n" : ", $n").Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                command.Parameters.AddWithValue("$n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), distinct[i]);
            }

            filter.Append(')');
        }

        command.CommandText = $"""
            SELECT name, step, value, value_bits, timestamp, sequence, event_offset FROM metric_points
            WHERE run_key = {RunKeyOf}{filter}
            ORDER BY event_offset, name LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$run", query.RunId);
        command.Parameters.AddWithValue("$limit", query.Limit);
        var result = new List<MetricPoint>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new MetricPoint(
                query.RunId,
                reader.GetString(0),
                reader.GetInt64(1),
                StoredValues.Read(reader, 2, 3),
                StoredValues.FromTicks(reader.GetInt64(4)),
                reader.GetInt64(5),
                reader.GetInt64(6)));
        }

        return result;
    }

    /// <summary>The most names <see cref="StreamMetricsAsync"/> reads with one arm each; beyond, it scans the run.</summary>
    public const int MaxNameArms = 64;

    /// <summary>
    /// Streams the points of one run, in offset order, then by name (ordinal) within one event, with one statement.
    /// </summary>
    /// <remarks>
    /// With names (up to <see cref="MaxNameArms"/>), one <c>UNION ALL</c> arm per name reads that name's rows from
    /// <c>ix_metric_points_name</c> (covering, in offset order) and SQLite merges the arms by offset: only the wanted rows
    /// are read, nothing is sorted, and the name column is never read (the arm's number says which). Without names the
    /// run's rows are read in primary-key order.
    /// </remarks>
    /// <param name="connection">An open connection.</param>
    /// <param name="runId">The run.</param>
    /// <param name="names">The distinct names, sorted ordinally, or <see langword="null"/> for all.</param>
    /// <param name="afterStep">Only points measured after this step, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    public static async IAsyncEnumerable<MetricPoint> StreamMetricsAsync(
        SqliteConnection connection, string runId, string[]? names, long? afterStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (names is { Length: 0 })
        {
            yield break;
        }

        using var command = connection.CreateCommand();
        command.CommandText = StreamMetricsSql(names, afterStep is not null);
        command.Parameters.AddWithValue("$run", runId);
        if (afterStep is { } after)
        {
            command.Parameters.AddWithValue("$after_step", after);
        }

        for (var i = 0; names is not null && i < names.Length; i++)
        {
            command.Parameters.AddWithValue("$n" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), names[i]);
        }

        var byName = names is { Length: <= MaxNameArms };
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);

        // The arms come merged by offset; the points of one event (at most one per arm) go out by name, whatever order
        // SQLite merged equal offsets in.
        var sameOffset = new List<(int Arm, MetricPoint Point)>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var point = new MetricPoint(
                runId,
                byName ? names![reader.GetInt32(0)] : reader.GetString(0),
                reader.GetInt64(1),
                StoredValues.Read(reader, 2, 3),
                StoredValues.FromTicks(reader.GetInt64(4)),
                reader.GetInt64(5),
                reader.GetInt64(6));
            if (!byName)
            {
                yield return point;
                continue;
            }

            if (sameOffset.Count > 0 && sameOffset[0].Point.Offset != point.Offset)
            {
                foreach (var (_, pending) in SortByArm(sameOffset))
                {
                    yield return pending;
                }

                sameOffset.Clear();
            }

            sameOffset.Add((reader.GetInt32(0), point));
        }

        foreach (var (_, pending) in SortByArm(sameOffset))
        {
            yield return pending;
        }
    }

    /// <summary>
    /// The statement of <see cref="StreamMetricsAsync"/>: parameters <c>$run</c>, <c>$after_step</c> when
    /// <paramref name="afterStep"/>, and <c>$n0</c>… for the names.
    /// </summary>
    internal static string StreamMetricsSql(string[]? names, bool afterStep)
    {
        const string Columns = "step, value, value_bits, timestamp, sequence, event_offset";
        var stepFilter = afterStep ? " AND step > $after_step" : string.Empty;
        var sql = new System.Text.StringBuilder();
        if (names is { Length: > 0 and <= MaxNameArms })
        {
            for (var i = 0; i < names.Length; i++)
            {
                var index = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                sql.Append(i == 0 ? "SELECT " : " UNION ALL SELECT ").Append(index).Append(", ").Append(Columns)
                    .Append(" FROM metric_points WHERE run_key = ").Append(RunKeyOf).Append(" AND name = $n").Append(index).Append(stepFilter);
            }

            return sql.Append(" ORDER BY event_offset;").ToString();
        }

        sql.Append("SELECT name, ").Append(Columns).Append(" FROM metric_points WHERE run_key = ").Append(RunKeyOf).Append(stepFilter);
        if (names is not null)
        {
            sql.Append(" AND name IN (");
            for (var i = 0; i < names.Length; i++)
            {
                sql.Append(i == 0 ? "$n" : ", $n").Append(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            sql.Append(')');
        }

        return sql.Append(" ORDER BY event_offset, name;").ToString();
    }

    private static List<(int Arm, MetricPoint Point)> SortByArm(List<(int Arm, MetricPoint Point)> points)
    {
        // At most one point per arm, nearly always already in order: an insertion sort.
        for (var i = 1; i < points.Count; i++)
        {
            var item = points[i];
            var at = i;
            while (at > 0 && points[at - 1].Arm > item.Arm)
            {
                points[at] = points[at - 1];
                at--;
            }

            points[at] = item;
        }

        return points;
    }

    public static async Task<List<ControlRecord>> ReadCommandsAsync(SqliteConnection connection, string runId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT command_id, action, issued_at, status, handled_at, step, message, event_offset, value, value_bits FROM commands
            WHERE run_key = {RunKeyOf} ORDER BY event_offset;
            """;
        command.Parameters.AddWithValue("$run", runId);
        var result = new List<ControlRecord>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            result.Add(new ControlRecord
            {
                CommandId = reader.GetString(0),
                RunId = runId,
                Action = Enum.Parse<ControlAction>(reader.GetString(1)),
                IssuedAt = StoredValues.FromTicks(reader.GetInt64(2)),
                Status = Enum.Parse<ControlStatus>(reader.GetString(3)),
                HandledAt = StoredValues.FromTicks(reader.GetInt64(4)),
                Step = reader.IsDBNull(5) ? null : reader.GetInt64(5),
                Message = reader.IsDBNull(6) ? null : reader.GetString(6),
                Offset = reader.GetInt64(7),
                Value = reader.IsDBNull(8) && reader.IsDBNull(9) ? null : StoredValues.Read(reader, 8, 9),
            });
        }

        return result;
    }

    private static async Task<Dictionary<long, Dictionary<string, double>>> ReadTrainingMetricsAsync(
        SqliteConnection connection, SqliteTransaction transaction, long first, long last, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT event_offset, name, value, value_bits FROM training_metrics WHERE event_offset BETWEEN $first AND $last;";
        command.Parameters.AddWithValue("$first", first);
        command.Parameters.AddWithValue("$last", last);
        var result = new Dictionary<long, Dictionary<string, double>>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var offset = reader.GetInt64(0);
            if (!result.TryGetValue(offset, out var values))
            {
                values = new Dictionary<string, double>(StringComparer.Ordinal);
                result.Add(offset, values);
            }

            values[reader.GetString(1)] = StoredValues.Read(reader, 2, 3);
        }

        return result;
    }

    // The columns of a finding revision that finding_revisions and findings share, in the order ReadFinding reads them.
    private const int FindingColumnCount = 12;

    private static string FindingColumns(string table) =>
        $"{table}.finding_id, {table}.label, {table}.severity, {table}.state, {table}.message, {table}.confidence, {table}.confidence_bits, " +
        $"{table}.revision, {table}.first_step, {table}.first_seen_at, {table}.evidence, {table}.fixes";

    private static async Task ReadFindingRevisionsAsync(
        SqliteConnection connection, SqliteTransaction transaction, Dictionary<long, (int Index, FindingHead Head)> findings, List<TrainInsightEvent> result, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {FindingColumns("fr")}, fr.event_offset FROM finding_revisions AS fr WHERE fr.event_offset BETWEEN $first AND $last;";
        command.Parameters.AddWithValue("$first", findings.Keys.Min());
        command.Parameters.AddWithValue("$last", findings.Keys.Max());
        var found = 0;
        using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var offset = reader.GetInt64(FindingColumnCount);
                if (findings.TryGetValue(offset, out var placeholder))
                {
                    result[placeholder.Index] = ReadFinding(reader, placeholder.Head, offset);
                    found++;
                }
            }
        }

        if (found != findings.Count)
        {
            throw new InvalidDataException($"{findings.Count - found} stored finding event(s) have no finding_revisions row.");
        }
    }

    /// <summary>Reads a finding from <see cref="FindingColumns"/> (the first <see cref="FindingColumnCount"/> columns).</summary>
    /// <exception cref="InvalidDataException">A column holds something this store never writes.</exception>
    private static FindingEvent ReadFinding(SqliteDataReader reader, FindingHead head, long offset)
    {
        var id = reader.GetString(0);
        try
        {
            return new FindingEvent(
                head.Run,
                id,
                reader.GetString(1),
                FindingJson.ParseName<FindingSeverity>(reader.GetString(2)),
                FindingJson.ParseName<FindingState>(reader.GetString(3)),
                reader.GetString(4),
                StoredValues.FromTicks(head.Ticks))
            {
                Confidence = StoredValues.Read(reader, 5, 6),
                Revision = reader.GetInt32(7),
                FirstStep = reader.GetInt64(8),
                Step = head.Step,
                FirstSeenAt = StoredValues.FromTicks(reader.GetInt64(9)),
                Evidence = FindingJson.ReadEvidence(id, reader.GetString(10)),
                Fixes = FindingJson.ReadFixes(id, reader.GetString(11)),
                Sequence = head.Sequence,
                Offset = offset,
            };
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"The stored finding '{id}' of run '{head.Run.Id}' is not what this store writes: {ex.Message}", ex);
        }
    }

    private static TrainingRow ReadTrainingRow(SqliteDataReader reader, RunDescriptor run, long offset, string kind) => new(
        run,
        offset,
        reader.GetInt64(2),
        Enum.Parse<TrainingEventKind>(kind),
        reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetInt64(5),
        NullableInt(reader, 6),
        reader.IsDBNull(8) ? null : Enum.Parse<RunState>(reader.GetString(8)),
        reader.IsDBNull(9) ? null : reader.GetString(9),
        reader.IsDBNull(10) ? null : reader.GetString(10),
        reader.IsDBNull(11)
            ? null
            : new ControlCommand(
                Enum.Parse<ControlAction>(reader.GetString(12)),
                reader.IsDBNull(13) ? null : reader.GetString(13),
                reader.IsDBNull(26) && reader.IsDBNull(27) ? null : StoredValues.Read(reader, 26, 27))
            {
                Id = reader.GetString(11),
                IssuedAt = StoredValues.FromTicks(reader.GetInt64(14)),
            },
        reader.IsDBNull(15) ? null : Enum.Parse<ControlStatus>(reader.GetString(15)));

    private static int? NullableInt(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    /// <summary>What a finding's events row holds: its run, sequence, time and step.</summary>
    private readonly record struct FindingHead(RunDescriptor Run, long Sequence, long Ticks, long Step);

    private readonly record struct MetricRow(RunDescriptor Run, long Offset, long Sequence, long Ticks, long Step, int? Epoch, int? Batch)
    {
        public MetricEvent ToEvent(Dictionary<string, double> values) =>
            new(Run, Step, values, StoredValues.FromTicks(Ticks)) { Epoch = Epoch, Batch = Batch, Sequence = Sequence, Offset = Offset };
    }

    private sealed record TrainingRow(
        RunDescriptor Run, long Offset, long Sequence, TrainingEventKind Kind, long Ticks, long? Step, int? Epoch, RunState? State,
        string? Message, string? CheckpointPath, ControlCommand? Command, ControlStatus? ControlStatus)
    {
        public TrainingEvent ToEvent(Dictionary<string, double>? metrics) => new(Run, Kind, StoredValues.FromTicks(Ticks))
        {
            Step = Step,
            Epoch = Epoch,
            State = State,
            Metrics = metrics ?? new Dictionary<string, double>(),
            CheckpointPath = CheckpointPath,
            Command = Command,
            ControlStatus = ControlStatus,
            Message = Message,
            Sequence = Sequence,
            Offset = Offset,
        };
    }
}
