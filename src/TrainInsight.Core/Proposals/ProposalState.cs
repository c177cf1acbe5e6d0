namespace TrainInsight;

/// <summary>Where a <see cref="ProposalEvent"/> is in its life: pending → approved or rejected → applied or failed; or expired.</summary>
public enum ProposalState
{
    /// <summary>Waiting for a person to approve or reject it.</summary>
    Pending,

    /// <summary>Approved (by a person, or by the auto-apply policy); its commands are queued for the run's next step boundary.</summary>
    Approved,

    /// <summary>The trainer applied every command. A later revision of the same state carries the measured <see cref="ProposalEvent.Outcome"/>.</summary>
    Applied,

    /// <summary>The trainer rejected a command, or it could not be queued; <see cref="ProposalEvent.Reason"/> says why. Training is unchanged by the rejected command.</summary>
    Failed,

    /// <summary>A person rejected it; <see cref="ProposalEvent.Reason"/> holds their reason, when they gave one.</summary>
    Rejected,

    /// <summary>It went stale before anybody decided: the run ended, its finding resolved, or a newer proposal superseded it.</summary>
    Expired,
}
