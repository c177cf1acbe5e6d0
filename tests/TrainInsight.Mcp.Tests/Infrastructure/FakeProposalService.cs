using System.Collections.Concurrent;

namespace TrainInsight.Mcp.Tests.Infrastructure;

/// <summary>
/// A hand-written <see cref="IProposalService"/>: keeps proposals in memory, checks the run the way the real one does (the
/// bus knows it, and it has not ended), and never touches <see cref="ITrainingControl"/>: approving is not what MCP does.
/// </summary>
internal sealed class FakeProposalService(ITelemetryBus bus) : IProposalService
{
    private readonly ConcurrentDictionary<string, List<ProposalEvent>> _revisions = new(StringComparer.Ordinal);

    public List<ProposalRequest> Requests { get; } = [];

    /// <summary>Gets or sets what ListAsync throws (a store that failed, say), or null to list.</summary>
    public Exception? ListFailure { get; set; }

    public Task<ProposalEvent> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken = default)
    {
        var current = bus.GetCurrent(request.RunId) ?? throw new RunNotFoundException($"Run '{request.RunId}' is unknown.") { RunId = request.RunId };
        if (current.State is RunState.Completed or RunState.Stopped or RunState.Failed)
        {
            throw new ProposalStateException($"Run '{request.RunId}' has ended.");
        }

        if (request.Commands.Any(c => c.Action == ControlAction.SetLearningRate && c.Value is not (> 0 and <= 10)))
        {
            throw new ArgumentException("Command 1: set_learning_rate needs a value greater than 0 and at most 10.", nameof(request));
        }

        lock (Requests)
        {
            Requests.Add(request);
        }

        var proposal = new ProposalEvent(current.Run, "prop_" + Guid.NewGuid().ToString("N"), ProposalState.Pending, request.Source, request.Commands,
            request.Title ?? "Proposed " + string.Join(", ", request.Commands.Select(c => c.Action)))
        {
            Rationale = request.Rationale,
            ExpectedEffect = request.ExpectedEffect,
            Actor = request.Actor,
        };
        _revisions[proposal.ProposalId] = [proposal];
        return Task.FromResult(proposal);
    }

    /// <summary>Adds a revision, as the real service does on a transition (for the history tests).</summary>
    public ProposalEvent Transition(string proposalId, ProposalState state, string actor)
    {
        var list = _revisions[proposalId];
        var last = list[^1];
        var next = new ProposalEvent(last.Run, last.ProposalId, state, last.Source, last.Commands, last.Title)
        {
            Revision = last.Revision + 1,
            CreatedAt = last.CreatedAt,
            Rationale = last.Rationale,
            Actor = actor,
        };
        list.Add(next);
        return next;
    }

    public Task<ProposalEvent> ApproveAsync(string proposalId, string? actor = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("No MCP tool may approve a proposal.");

    public Task<ProposalEvent> RejectAsync(string proposalId, string? reason = null, string? actor = null, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("No MCP tool may reject a proposal.");

    public Task<ProposalEvent?> GetAsync(string proposalId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_revisions.TryGetValue(proposalId, out var list) ? list[^1] : null);

    public Task<IReadOnlyList<ProposalEvent>> GetHistoryAsync(string proposalId, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProposalEvent>>(_revisions.TryGetValue(proposalId, out var list) ? [.. list] : []);

    public Task<IReadOnlyList<ProposalEvent>> ListAsync(ProposalQuery query, CancellationToken cancellationToken = default) =>
        ListFailure is { } failure ? Task.FromException<IReadOnlyList<ProposalEvent>>(failure) : Task.FromResult<IReadOnlyList<ProposalEvent>>([.. _revisions.Values.Select(l => l[^1])
            .Where(p => (query.RunId is null || p.RunId == query.RunId) && (query.State is null || p.State == query.State))
            .OrderByDescending(p => p.CreatedAt).Take(query.Limit)]);
}
