using Microsoft.Data.Sqlite;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// The store's retention (<see cref="SqliteStoreOptions.MaxAge"/>, <see cref="SqliteStoreOptions.MaxRuns"/>,
/// <see cref="SqliteStoreOptions.MaxEventsPerRun"/>): when it is due, which runs go entirely and which are trimmed, and
/// the deletes, in one transaction. Used under the store's write gate.
/// </summary>
internal sealed class SqliteRetention(SqliteStoreOptions options)
{
    private readonly HashSet<long> _touched = [];
    private DateTimeOffset? _lastApplied;

    /// <summary>Notes that a batch wrote events of the run, so the next pass trims it.</summary>
    public void Touched(long runKey) => _touched.Add(runKey);

    /// <summary>Makes the next <see cref="IsDue"/> true, as after opening.</summary>
    public void Reset() => _lastApplied = null;

    /// <summary>Whether <see cref="SqliteStoreOptions.RetentionInterval"/> has passed since the last pass (or none ran yet).</summary>
    public bool IsDue(DateTimeOffset now) => _lastApplied is not { } last || now - last >= options.RetentionInterval;

    /// <summary>Decides this pass: the runs to remove entirely, and the runs to trim to the per-run limit.</summary>
    /// <returns>The plan, or <see langword="null"/> when no limit is set (nothing to do).</returns>
    public (List<SqliteRun> Remove, List<long> Trim)? Plan(DateTimeOffset now, IEnumerable<SqliteRun> runs)
    {
        var trimAll = _lastApplied is null;
        _lastApplied = now;
        if (options is { MaxAge: null, MaxRuns: null, MaxEventsPerRun: null })
        {
            _touched.Clear();
            return null;
        }

        var byRecency = runs.OrderByDescending(r => r.Summary.LastOffset).ToList();
        List<SqliteRun> remove = [.. byRecency.Where((r, index) =>
            (options.MaxAge is { } age && now - r.Summary.LastEventAt > age) || (options.MaxRuns is { } max && index >= max))];
        List<long> trim = options.MaxEventsPerRun is null
            ? []
            : [.. (trimAll ? byRecency.Select(r => r.Key) : _touched).Except(remove.Select(r => r.Key))];
        return (remove, trim);
    }

    /// <summary>The pass was carried out: the runs it trimmed need no trimming until they are written again.</summary>
    public void Completed() => _touched.Clear();

    /// <summary>
    /// Removes runs entirely (their findings, proposals, analyses and conversations too), and the oldest events of the runs
    /// given beyond the per-run limit (with their finding revisions and analyses; every proposal revision stays: it is the
    /// proposal's audit trail), in one transaction.
    /// </summary>
    public void Execute(SqliteConnection connection, IReadOnlyCollection<long> runsToRemove, IReadOnlyCollection<long> runsToTrim)
    {
        using var transaction = connection.BeginTransaction(deferred: false);
        foreach (var key in runsToRemove)
        {
            Execute(
                connection,
                transaction,
                """
                DELETE FROM training_metrics WHERE event_offset IN (SELECT event_offset FROM events WHERE run_key = $run AND kind <> 'Metric');
                DELETE FROM finding_revisions WHERE event_offset IN (SELECT event_offset FROM events WHERE run_key = $run AND kind = 'Finding');
                DELETE FROM findings WHERE run_key = $run;
                DELETE FROM assistant_analyses WHERE event_offset IN (SELECT event_offset FROM events WHERE run_key = $run AND kind = 'AssistantAnalysis');
                DELETE FROM proposal_revisions WHERE run_key = $run;
                DELETE FROM proposals WHERE run_key = $run;
                DELETE FROM metric_points WHERE run_key = $run;
                DELETE FROM events WHERE run_key = $run;
                DELETE FROM commands WHERE run_key = $run;
                DELETE FROM run_metric_names WHERE run_key = $run;
                DELETE FROM conversation_messages WHERE run_id = (SELECT id FROM runs WHERE run_key = $run);
                DELETE FROM runs WHERE run_key = $run;
                """,
                ("$run", key));
        }

        if (options.MaxEventsPerRun is { } max)
        {
            foreach (var key in runsToTrim)
            {
                // The newest event beyond the limit: it and everything older goes (the audit trail, the latest revision of
                // each finding and every proposal revision stay).
                using var find = connection.CreateCommand();
                find.Transaction = transaction;
                find.CommandText = "SELECT event_offset FROM events WHERE run_key = $run ORDER BY event_offset DESC LIMIT 1 OFFSET $max;";
                find.Parameters.AddWithValue("$run", key);
                find.Parameters.AddWithValue("$max", max);
                if (find.ExecuteScalar() is long threshold)
                {
                    Execute(
                        connection,
                        transaction,
                        """
                        DELETE FROM training_metrics WHERE event_offset IN (SELECT event_offset FROM events WHERE run_key = $run AND event_offset <= $until AND kind <> 'Metric');
                        DELETE FROM finding_revisions WHERE event_offset IN (SELECT event_offset FROM events WHERE run_key = $run AND event_offset <= $until AND kind = 'Finding');
                        DELETE FROM assistant_analyses WHERE event_offset IN (SELECT event_offset FROM events WHERE run_key = $run AND event_offset <= $until AND kind = 'AssistantAnalysis');
                        DELETE FROM metric_points WHERE run_key = $run AND event_offset <= $until;
                        DELETE FROM events WHERE run_key = $run AND event_offset <= $until;
                        """,
                        ("$run", key),
                        ("$until", threshold));
                }
            }
        }

        transaction.Commit();
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
