namespace TrainInsight;

/// <summary>
/// Turns findings, suggestions and requests into proposals, asks a person, applies the approved ones to the live run through
/// <see cref="ITrainingControl"/> and measures what they did. Every transition is published as a <see cref="ProposalEvent"/>.
/// </summary>
/// <remarks>
/// Nothing reaches the trainer before <see cref="ApproveAsync"/> (or the opt-in auto-apply policy, for its named, bounded
/// actions). Making a proposal never changes training, whoever asks for it.
/// </remarks>
public interface IProposalService
{
    /// <summary>Makes a pending proposal, or returns the pending one that already proposes the same commands for the run.</summary>
    /// <param name="request">What to propose.</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The proposal's latest revision (pending, or approved when the auto-apply policy took it).</returns>
    /// <exception cref="ArgumentException">A command is invalid for its action (a learning rate that is missing, not finite or not positive; a restore without a path).</exception>
    /// <exception cref="RunNotFoundException">Neither the bus nor the store knows the run.</exception>
    /// <exception cref="ProposalStateException">The run has ended, so there is nothing left to steer.</exception>
    Task<ProposalEvent> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken = default);

    /// <summary>Approves a pending proposal and queues its commands for the run's next step boundary.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="actor">Who approves it (recorded in the audit trail), or <see langword="null"/> for "anonymous".</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The approved revision, or the failed one when the commands could not be queued (the run is not attached to the control mailbox).</returns>
    /// <exception cref="ProposalNotFoundException">There is no such proposal.</exception>
    /// <exception cref="ProposalStateException">The proposal is not pending.</exception>
    Task<ProposalEvent> ApproveAsync(string proposalId, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Rejects a pending proposal; nothing is applied.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="reason">Why, or <see langword="null"/>; at most <see cref="ProposalRequest.MaxTextLength"/> characters.</param>
    /// <param name="actor">Who rejects it, or <see langword="null"/> for "anonymous".</param>
    /// <param name="cancellationToken">A token to cancel the operation.</param>
    /// <returns>The rejected revision.</returns>
    /// <exception cref="ArgumentException"><paramref name="reason"/> is too long.</exception>
    /// <exception cref="ProposalNotFoundException">There is no such proposal.</exception>
    /// <exception cref="ProposalStateException">The proposal is not pending.</exception>
    Task<ProposalEvent> RejectAsync(string proposalId, string? reason = null, string? actor = null, CancellationToken cancellationToken = default);

    /// <summary>Gets a proposal's latest revision.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The revision, or <see langword="null"/> when there is no such proposal.</returns>
    Task<ProposalEvent?> GetAsync(string proposalId, CancellationToken cancellationToken = default);

    /// <summary>Gets every revision of a proposal, oldest first: its audit trail.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The revisions; empty when there is no such proposal.</returns>
    Task<IReadOnlyList<ProposalEvent>> GetHistoryAsync(string proposalId, CancellationToken cancellationToken = default);

    /// <summary>Lists proposals (their latest revisions), the most recently made first.</summary>
    /// <param name="query">Which proposals.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The proposals.</returns>
    Task<IReadOnlyList<ProposalEvent>> ListAsync(ProposalQuery query, CancellationToken cancellationToken = default);
}
