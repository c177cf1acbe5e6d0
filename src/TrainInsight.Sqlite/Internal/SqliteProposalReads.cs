using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// Reads proposals (<c>proposals</c>, <c>proposal_revisions</c>) and analyses (<c>assistant_analyses</c>): the store's
/// proposal queries, and the details of the <c>Proposal</c> and <c>AssistantAnalysis</c> rows that
/// <see cref="SqliteReads.ReadEventsAsync"/> meets.
/// </summary>
internal static class SqliteProposalReads
{
    /// <summary>The <c>events.kind</c> of a <see cref="ProposalEvent"/>.</summary>
    public const string ProposalKind = "Proposal";

    /// <summary>The <c>events.kind</c> of an <see cref="AssistantAnalysisEvent"/>.</summary>
    public const string AnalysisKind = "AssistantAnalysis";

    // The columns of proposal_revisions in the order ReadProposal reads them, then the run's (see SqliteReads.ReadDescriptor).
    private const string ProposalColumns = """
        pr.event_offset, pr.run_key, pr.proposal_id, pr.sequence, pr.timestamp, pr.revision, pr.state, pr.source, pr.title,
        pr.created_at, pr.rationale, pr.expected_effect, pr.finding_id, pr.finding_label, pr.target_metric, pr.actor, pr.reason,
        pr.auto_applied, pr.checkpoint_path, pr.applied_step, pr.revert_of, pr.superseded_by, pr.commands, pr.command_ids,
        pr.previous_values, pr.outcome,
        r.id, r.name, r.model_name, r.parameter_count, r.total_epochs, r.steps_per_epoch, r.started_at, r.hyperparameters
        """;

    private const int RunColumn = 26;

    /// <summary>The latest revision of each proposal, the most recently made first, filtered by that revision.</summary>
    public static async Task<List<ProposalEvent>> ReadProposalsAsync(SqliteConnection connection, ProposalQuery query, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        var filter = new System.Text.StringBuilder();
        if (query.RunId is { } runId)
        {
            filter.Append(" AND p.run_key = (SELECT run_key FROM runs WHERE id = $run)");
            command.Parameters.AddWithValue("$run", runId);
        }

        if (query.State is { } state)
        {
            filter.Append(" AND p.state = $state");
            command.Parameters.AddWithValue("$state", state.ToString());
        }

        command.CommandText = $"""
            SELECT {ProposalColumns}
            FROM proposals AS p
            JOIN proposal_revisions AS pr ON pr.event_offset = p.event_offset
            JOIN runs AS r ON r.run_key = p.run_key
            WHERE 1 = 1{filter}
            ORDER BY p.first_offset DESC LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$limit", query.Limit);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every stored revision of a proposal, oldest first.</summary>
    public static async Task<List<ProposalEvent>> ReadHistoryAsync(SqliteConnection connection, string proposalId, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {ProposalColumns}
            FROM proposal_revisions AS pr JOIN runs AS r ON r.run_key = pr.run_key
            WHERE pr.proposal_id = $id
            ORDER BY pr.event_offset;
            """;
        command.Parameters.AddWithValue("$id", proposalId);
        return await ReadAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replaces the placeholders of <see cref="SqliteReads.ReadEventsAsync"/> by the proposals and analyses they stand for.</summary>
    /// <exception cref="InvalidDataException">An event has no details row, or a row holds something this store never writes.</exception>
    public static async Task FillAsync(
        SqliteConnection connection, SqliteTransaction transaction, Dictionary<long, Placeholder> placeholders, List<TrainInsightEvent> result, CancellationToken cancellationToken)
    {
        var first = placeholders.Keys.Min();
        var last = placeholders.Keys.Max();
        var found = 0;
        if (placeholders.Values.Any(p => p.Kind == ProposalKind))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                SELECT {ProposalColumns}
                FROM proposal_revisions AS pr JOIN runs AS r ON r.run_key = pr.run_key
                WHERE pr.event_offset BETWEEN $first AND $last;
                """;
            command.Parameters.AddWithValue("$first", first);
            command.Parameters.AddWithValue("$last", last);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (placeholders.TryGetValue(reader.GetInt64(0), out var placeholder) && placeholder.Kind == ProposalKind)
                {
                    result[placeholder.Index] = ReadProposal(reader, placeholder.Run);
                    found++;
                }
            }
        }

        if (placeholders.Values.Any(p => p.Kind == AnalysisKind))
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                SELECT event_offset, analysis_trigger, source, text, finding_id, language, notice, model_id, proposal_ids
                FROM assistant_analyses WHERE event_offset BETWEEN $first AND $last;
                """;
            command.Parameters.AddWithValue("$first", first);
            command.Parameters.AddWithValue("$last", last);
            using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (placeholders.TryGetValue(reader.GetInt64(0), out var placeholder) && placeholder.Kind == AnalysisKind)
                {
                    result[placeholder.Index] = ReadAnalysis(reader, placeholder);
                    found++;
                }
            }
        }

        if (found != placeholders.Count)
        {
            throw new InvalidDataException($"{placeholders.Count - found} stored proposal or analysis event(s) have no proposal_revisions or assistant_analyses row.");
        }
    }

    private static async Task<List<ProposalEvent>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        // One descriptor per run per read, shared by all its proposals.
        var runs = new Dictionary<long, RunDescriptor>();
        var result = new List<ProposalEvent>();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var runKey = reader.GetInt64(1);
            if (!runs.TryGetValue(runKey, out var run))
            {
                run = SqliteReads.ReadDescriptor(reader, RunColumn, RunColumn + 7);
                runs.Add(runKey, run);
            }

            result.Add(ReadProposal(reader, run));
        }

        return result;
    }

    /// <summary>Reads a proposal revision from <see cref="ProposalColumns"/>.</summary>
    /// <exception cref="InvalidDataException">A column holds something this store never writes.</exception>
    private static ProposalEvent ReadProposal(SqliteDataReader reader, RunDescriptor run)
    {
        var id = reader.GetString(2);
        try
        {
            return new ProposalEvent(
                run,
                id,
                FindingJson.ParseName<ProposalState>(reader.GetString(6)),
                FindingJson.ParseName<ProposalSource>(reader.GetString(7)),
                ProposalJson.ReadCommands(reader.GetString(22)),
                reader.GetString(8),
                StoredValues.FromTicks(reader.GetInt64(4)))
            {
                Offset = reader.GetInt64(0),
                Sequence = reader.GetInt64(3),
                Revision = reader.GetInt32(5),
                CreatedAt = StoredValues.FromTicks(reader.GetInt64(9)),
                Rationale = Text(reader, 10),
                ExpectedEffect = Text(reader, 11),
                FindingId = Text(reader, 12),
                FindingLabel = Text(reader, 13),
                TargetMetric = Text(reader, 14),
                Actor = Text(reader, 15),
                Reason = Text(reader, 16),
                AutoApplied = reader.GetInt64(17) != 0,
                CheckpointPath = Text(reader, 18),
                AppliedStep = reader.IsDBNull(19) ? null : reader.GetInt64(19),
                RevertOf = Text(reader, 20),
                SupersededBy = Text(reader, 21),
                CommandIds = ProposalJson.ReadStrings(reader.GetString(23)),
                PreviousValues = ProposalJson.ReadValues(reader.GetString(24)),
                Outcome = reader.IsDBNull(25) ? null : ProposalJson.ReadOutcome(reader.GetString(25)),
            };
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"The stored revision of proposal '{id}' of run '{run.Id}' at offset {reader.GetInt64(0)} is not what this store writes: {ex.Message}", ex);
        }
    }

    /// <exception cref="InvalidDataException">A column holds something this store never writes.</exception>
    private static AssistantAnalysisEvent ReadAnalysis(SqliteDataReader reader, Placeholder head)
    {
        try
        {
            return new AssistantAnalysisEvent(
                head.Run,
                reader.GetString(1),
                FindingJson.ParseName<AssistantSource>(reader.GetString(2)),
                reader.GetString(3),
                StoredValues.FromTicks(head.Ticks))
            {
                Step = head.Step,
                Epoch = head.Epoch,
                FindingId = Text(reader, 4),
                Language = Text(reader, 5),
                Notice = Text(reader, 6),
                ModelId = Text(reader, 7),
                ProposalIds = ProposalJson.ReadStrings(reader.GetString(8)),
                Sequence = head.Sequence,
                Offset = reader.GetInt64(0),
            };
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"The stored analysis of run '{head.Run.Id}' at offset {reader.GetInt64(0)} is not what this store writes: {ex.Message}", ex);
        }
    }

    private static string? Text(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>A proposal or analysis event met in the events table: where it goes in the result and what its events row says.</summary>
    /// <param name="Index">Its place in the result.</param>
    /// <param name="Kind"><see cref="ProposalKind"/> or <see cref="AnalysisKind"/>.</param>
    /// <param name="Run">Its run (shared by the read's events of that run).</param>
    /// <param name="Sequence">Its sequence.</param>
    /// <param name="Ticks">Its time.</param>
    /// <param name="Step">The events row's step.</param>
    /// <param name="Epoch">The events row's epoch.</param>
    public readonly record struct Placeholder(int Index, string Kind, RunDescriptor Run, long Sequence, long Ticks, long? Step, int? Epoch);
}
