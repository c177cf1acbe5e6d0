using Microsoft.Data.Sqlite;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// Writes the details of <see cref="ProposalEvent"/>s (<c>proposal_revisions</c>, and the latest revision of each in
/// <c>proposals</c>) and <see cref="AssistantAnalysisEvent"/>s (<c>assistant_analyses</c>) through statements the
/// <see cref="SqliteWriter"/> prepared, inside its batch's transaction. Their <c>events</c> rows are the writer's.
/// </summary>
internal sealed class SqliteProposalWriter
{
    private readonly SqliteCommand _insertRevision;
    private readonly SqliteCommand _upsertProposal;
    private readonly SqliteCommand _insertAnalysis;

    /// <param name="prepare">Prepares a statement with its parameters (all <see cref="DBNull"/>), enlisted in the writer's transactions.</param>
    public SqliteProposalWriter(Func<string, string[], SqliteCommand> prepare)
    {
        _insertRevision = prepare(
            """
            INSERT INTO proposal_revisions (event_offset, run_key, proposal_id, sequence, timestamp, revision, state, source, title,
                created_at, rationale, expected_effect, finding_id, finding_label, target_metric, actor, reason, auto_applied,
                checkpoint_path, applied_step, revert_of, superseded_by, commands, command_ids, previous_values, outcome)
            VALUES ($offset, $run, $id, $sequence, $timestamp, $revision, $state, $source, $title,
                $created_at, $rationale, $expected_effect, $finding_id, $finding_label, $target_metric, $actor, $reason, $auto_applied,
                $checkpoint_path, $applied_step, $revert_of, $superseded_by, $commands, $command_ids, $previous_values, $outcome);
            """,
            [
                "$offset", "$run", "$id", "$sequence", "$timestamp", "$revision", "$state", "$source", "$title",
                "$created_at", "$rationale", "$expected_effect", "$finding_id", "$finding_label", "$target_metric", "$actor", "$reason", "$auto_applied",
                "$checkpoint_path", "$applied_step", "$revert_of", "$superseded_by", "$commands", "$command_ids", "$previous_values", "$outcome",
            ]);

        // The latest revision of each proposal, by offset; first_offset (where it was made) orders the proposals.
        _upsertProposal = prepare(
            """
            INSERT INTO proposals (proposal_id, run_key, first_offset, event_offset, state)
            VALUES ($id, $run, $offset, $offset, $state)
            ON CONFLICT (proposal_id) DO UPDATE SET event_offset = excluded.event_offset, state = excluded.state
            WHERE excluded.event_offset > proposals.event_offset;
            """,
            ["$id", "$run", "$offset", "$state"]);
        _insertAnalysis = prepare(
            """
            INSERT INTO assistant_analyses (event_offset, analysis_trigger, source, text, finding_id, language, notice, model_id, proposal_ids)
            VALUES ($offset, $trigger, $source, $text, $finding_id, $language, $notice, $model_id, $proposal_ids);
            """,
            ["$offset", "$trigger", "$source", "$text", "$finding_id", "$language", "$notice", "$model_id", "$proposal_ids"]);
    }

    public void Write(ProposalEvent proposal, long runKey, long timestamp)
    {
        Bind(
            _insertRevision,
            proposal.Offset,
            runKey,
            proposal.ProposalId,
            proposal.Sequence,
            timestamp,
            proposal.Revision,
            proposal.State.ToString(),
            proposal.Source.ToString(),
            proposal.Title,
            StoredValues.ToTicks(proposal.CreatedAt),
            proposal.Rationale,
            proposal.ExpectedEffect,
            proposal.FindingId,
            proposal.FindingLabel,
            proposal.TargetMetric,
            proposal.Actor,
            proposal.Reason,
            proposal.AutoApplied ? 1 : 0,
            proposal.CheckpointPath,
            proposal.AppliedStep,
            proposal.RevertOf,
            proposal.SupersededBy,
            ProposalJson.WriteCommands(proposal.Commands),
            ProposalJson.WriteStrings(proposal.CommandIds),
            ProposalJson.WriteValues(proposal.PreviousValues),
            proposal.Outcome is { } outcome ? ProposalJson.WriteOutcome(outcome) : null);
        Bind(_upsertProposal, proposal.ProposalId, runKey, proposal.Offset, proposal.State.ToString());
    }

    public void Write(AssistantAnalysisEvent analysis) => Bind(
        _insertAnalysis,
        analysis.Offset,
        analysis.Trigger,
        analysis.Source.ToString(),
        analysis.Text,
        analysis.FindingId,
        analysis.Language,
        analysis.Notice,
        analysis.ModelId,
        ProposalJson.WriteStrings(analysis.ProposalIds));

    /// <summary>Sets the statement's parameters in order (<see langword="null"/> as <see cref="DBNull"/>) and runs it.</summary>
    private static void Bind(SqliteCommand command, params ReadOnlySpan<object?> values)
    {
        var p = command.Parameters;
        for (var i = 0; i < values.Length; i++)
        {
            p[i].Value = values[i] ?? DBNull.Value;
        }

        command.ExecuteNonQuery();
    }
}
