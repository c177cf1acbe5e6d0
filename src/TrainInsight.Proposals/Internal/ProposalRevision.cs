namespace TrainInsight.Proposals.Internal;

/// <summary>Builds a proposal's next revision: everything carried over from the latest, with the transition's changes.</summary>
internal static class ProposalRevision
{
    public static ProposalEvent Next(ProposalEvent p, ProposalState state, DateTimeOffset now, string actor, string? reason, bool? autoApplied,
        IReadOnlyList<string>? commandIds, string? checkpointPath, IReadOnlyDictionary<string, double>? previousValues, long? appliedStep,
        ProposalOutcome? outcome, string? supersededBy) =>
        new(p.Run, p.ProposalId, state, p.Source, p.Commands, p.Title, now)
        {
            Revision = p.Revision + 1,
            CreatedAt = p.CreatedAt,
            Rationale = p.Rationale,
            ExpectedEffect = p.ExpectedEffect,
            FindingId = p.FindingId,
            FindingLabel = p.FindingLabel,
            TargetMetric = p.TargetMetric,
            Actor = actor,
            Reason = reason,
            AutoApplied = autoApplied ?? p.AutoApplied,
            CommandIds = commandIds ?? p.CommandIds,
            CheckpointPath = checkpointPath ?? p.CheckpointPath,
            PreviousValues = previousValues ?? p.PreviousValues,
            AppliedStep = appliedStep ?? p.AppliedStep,
            Outcome = outcome ?? p.Outcome,
            RevertOf = p.RevertOf,
            SupersededBy = supersededBy ?? p.SupersededBy,
        };
}
