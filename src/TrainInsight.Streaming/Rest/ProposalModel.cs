using System.ComponentModel;
using System.Text.Json.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// One revision of a proposal: the <c>data</c> of a <c>proposal</c> event on the streams, and the document of the
/// /api/proposals endpoints. WireFormat serializes it with <see cref="Serialization.RestJsonContext"/>, so the OpenAPI schema
/// is the shape that is sent. Absent values are omitted; the lists and <c>previous_values</c> are always present.
/// </summary>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record ProposalModel
{
    [JsonPropertyName("proposal_id")]
    [Description("The proposal's stable id, the same in every revision (\"prop_\" and 32 hex digits when TrainInsight makes it).")]
    public required string ProposalId { get; init; }

    [JsonPropertyName("run_id")]
    [Description("The run the proposal steers.")]
    public required string RunId { get; init; }

    [JsonPropertyName("revision")]
    [Description("1 when made, then one more for each transition.")]
    public required int Revision { get; init; }

    [JsonPropertyName("state")]
    [Description("pending, approved, applied, failed, rejected or expired.")]
    public required string State { get; init; }

    [JsonPropertyName("source")]
    [Description("Who made it: rule (a finding's fix), model (the language model), command (a chat message the fixed grammar understood), revert (undoes a proposal measured as hurt) or external (a client of the API).")]
    public required string Source { get; init; }

    [JsonPropertyName("title")]
    [Description("What it does, in one line with its numbers.")]
    public required string Title { get; init; }

    [JsonPropertyName("commands")]
    [Description("The control commands it applies, in order.")]
    public required IReadOnlyList<FixCommandModel> Commands { get; init; }

    [JsonPropertyName("timestamp")]
    [Description("When this revision was made, in Unix seconds.")]
    public required double Timestamp { get; init; }

    [JsonPropertyName("created_at")]
    [Description("When the proposal was made (its first revision), in Unix seconds.")]
    public required double CreatedAt { get; init; }

    [JsonPropertyName("rationale")]
    [Description("Why it was made, with the numbers behind it.")]
    public string? Rationale { get; init; }

    [JsonPropertyName("expected_effect")]
    [Description("What it is expected to do.")]
    public string? ExpectedEffect { get; init; }

    [JsonPropertyName("finding_id")]
    [Description("The finding it comes from.")]
    public string? FindingId { get; init; }

    [JsonPropertyName("finding_label")]
    [Description("The label of the finding it comes from (divergence, learning_rate_too_high, …).")]
    public string? FindingLabel { get; init; }

    [JsonPropertyName("target_metric")]
    [Description("The metric (lower is better) whose change is measured once it is applied; absent when its effect is not measured.")]
    public string? TargetMetric { get; init; }

    [JsonPropertyName("actor")]
    [Description("Who made this revision's transition: a user name, anonymous, auto-apply, trainer, system, assistant.")]
    public string? Actor { get; init; }

    [JsonPropertyName("reason")]
    [Description("Why this revision happened: the rejection's reason, the trainer's failure message, the cause of expiry.")]
    public string? Reason { get; init; }

    [JsonPropertyName("auto_applied")]
    [Description("Whether the auto-apply policy approved it without a person.")]
    public required bool AutoApplied { get; init; }

    [JsonPropertyName("command_ids")]
    [Description("The ids of the control commands submitted for it (once approved); their control_applied events carry them.")]
    public required IReadOnlyList<string> CommandIds { get; init; }

    [JsonPropertyName("checkpoint_path")]
    [Description("The checkpoint written just before it was applied, which its revert restores.")]
    public string? CheckpointPath { get; init; }

    [JsonPropertyName("previous_values")]
    [Description("The hyperparameters it changes, as they were just before it was applied (learning_rate → 0.01, say).")]
    [JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)]
    public required IReadOnlyDictionary<string, double> PreviousValues { get; init; }

    [JsonPropertyName("applied_step")]
    [Description("The step at which the trainer applied it.")]
    public long? AppliedStep { get; init; }

    [JsonPropertyName("outcome")]
    [Description("The measured outcome, once measured (applied proposals with a target metric).")]
    public ProposalOutcomeModel? Outcome { get; init; }

    [JsonPropertyName("revert_of")]
    [Description("The proposal this one reverts (source revert).")]
    public string? RevertOf { get; init; }

    [JsonPropertyName("superseded_by")]
    [Description("The proposal that superseded this one (an expired proposal).")]
    public string? SupersededBy { get; init; }

    [JsonPropertyName("history")]
    [Description("GET /api/proposals/{id} only: every revision, oldest first (the audit trail), each without its own history.")]
    public IReadOnlyList<ProposalModel>? History { get; init; }

    public static ProposalModel From(ProposalEvent proposal) => new()
    {
        ProposalId = proposal.ProposalId,
        RunId = proposal.RunId,
        Revision = proposal.Revision,
        State = WireNames.State(proposal.State),
        Source = WireNames.Source(proposal.Source),
        Title = proposal.Title,
        Commands = [.. proposal.Commands.Select(FixCommandModel.From)],
        Timestamp = WireNames.UnixSeconds(proposal.Timestamp),
        CreatedAt = WireNames.UnixSeconds(proposal.CreatedAt),
        Rationale = proposal.Rationale,
        ExpectedEffect = proposal.ExpectedEffect,
        FindingId = proposal.FindingId,
        FindingLabel = proposal.FindingLabel,
        TargetMetric = proposal.TargetMetric,
        Actor = proposal.Actor,
        Reason = proposal.Reason,
        AutoApplied = proposal.AutoApplied,
        CommandIds = proposal.CommandIds,
        CheckpointPath = proposal.CheckpointPath,
        PreviousValues = proposal.PreviousValues,
        AppliedStep = proposal.AppliedStep,
        Outcome = proposal.Outcome is { } outcome ? ProposalOutcomeModel.From(outcome) : null,
        RevertOf = proposal.RevertOf,
        SupersededBy = proposal.SupersededBy,
    };
}
