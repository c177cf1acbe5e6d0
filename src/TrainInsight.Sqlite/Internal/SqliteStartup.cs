using System.Globalization;
using Microsoft.Data.Sqlite;
using TrainInsight.Internal;

namespace TrainInsight.Sqlite.Internal;

/// <summary>Reads what the store keeps in memory about its runs when it opens.</summary>
internal static class SqliteStartup
{
    /// <summary>Reads the store's last offset, each run's summary and the largest run key.</summary>
    public static (long LastOffset, Dictionary<string, SqliteRun> Runs, long MaxKey) Load(SqliteConnection connection)
    {
        var lastOffset = Convert.ToInt64(SqliteSchema.Scalar(connection, "SELECT last_offset FROM store_state WHERE id = 1;"), CultureInfo.InvariantCulture);
        var runs = new Dictionary<string, SqliteRun>(StringComparer.Ordinal);
        var byKey = new Dictionary<long, SqliteRun>();
        long maxKey = 0;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT run_key, id, name, model_name, parameter_count, total_epochs, steps_per_epoch, started_at,
                    first_event_at, last_event_at, state, last_sequence, last_offset, last_step, last_epoch, event_count, hyperparameters
                FROM runs;
                """;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var key = reader.GetInt64(0);
                var summary = new RunSummary(SqliteReads.ReadDescriptor(reader, 1, 16), StoredValues.FromTicks(reader.GetInt64(8)))
                {
                    LastEventAt = StoredValues.FromTicks(reader.GetInt64(9)),
                    State = Enum.Parse<RunState>(reader.GetString(10)),
                    LastSequence = reader.GetInt64(11),
                    LastOffset = reader.GetInt64(12),
                    LastStep = reader.IsDBNull(13) ? null : reader.GetInt64(13),
                    LastEpoch = reader.IsDBNull(14) ? null : reader.GetInt32(14),
                    EventCount = reader.GetInt64(15),
                };
                var run = new SqliteRun(key, summary);
                runs.Add(summary.Run.Id, run);
                byKey.Add(key, run);
                maxKey = Math.Max(maxKey, key);
                lastOffset = Math.Max(lastOffset, summary.LastOffset);
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT run_key, name FROM run_metric_names;";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                if (byKey.TryGetValue(reader.GetInt64(0), out var run))
                {
                    run.Summary.MetricNames!.Add(reader.GetString(1));
                }
            }
        }

        return (lastOffset, runs, maxKey);
    }
}
