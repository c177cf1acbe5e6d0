using System.Collections.Concurrent;

namespace TrainInsight.Llm.Tests.Infrastructure;

/// <summary>
/// A hand-written <see cref="IProposalService"/> (until the real one lands): proposals are pending until
/// <see cref="ApproveAsync"/>, which alone submits their commands to the control mailbox. Identical pending proposals of a
/// run are returned instead of made twice, like the real service.
/// </summary>
internal sealed class FakeProposalService(ITrainingControl? control = null) : IProposalService
{
    private readonly ConcurrentDictionary<string, ProposalEvent> _latest = new(StringComparer.Ordinal);
    private int _next;

    public ConcurrentQueue<ProposalRequest> Requests { get; } = new();

    public int Approvals { get; private set; }

    public Func<ProposalRequest, Exception?>? Refuse { get; set; }

    public Task<ProposalEvent> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken = default)
    {
        Requests.Enqueue(request);
        if (Refuse?.Invoke(request) is { } error)
        {
            throw error;
        }

        foreach (var c in request.Commands.Where(c => c.Action == ControlAction.SetLearningRate))
        {
            if (c.Value is not (> 0 and <= 10))
            {
                throw new ArgumentException($"A learning rate must be above 0 and at most 10; got {c.Value}.", nameof(request));
            }
        }

        var same = _latest.Values.FirstOrDefault(p => p.RunId == request.RunId && p.State == ProposalState.Pending &&
            p.Commands.Select(c => (c.Action, c.Value)).SequenceEqual(request.Commands.Select(c => (c.Action, c.Value))));
        if (same is not null)
        {
            return Task.FromResult(same);
        }

        var id = "prop_" + Interlocked.Increment(ref _next).ToString("D32", System.Globalization.CultureInfo.InvariantCulture);
        var proposal = new ProposalEvent(new RunDescriptor(request.RunId), id, ProposalState.Pending, request.Source, request.Commands, request.Title ?? "Proposal " + id)
        {
            Rationale = request.Rationale,
            ExpectedEffect = request.ExpectedEffect,
            FindingId = request.FindingId,
            FindingLabel = request.FindingLabel,
            Actor = request.Actor,
        };
        _latest[id] = proposal;
        return Task.FromResult(proposal);
    }

    public Task<ProposalEvent> ApproveAsync(string proposalId, string? actor = null, CancellationToken cancellationToken = default)
    {
        var p = _latest.TryGetValue(proposalId, out var found) ? found : throw new ProposalNotFoundException();
        Approvals++;
        var ids = p.Commands.Select(c => control!.Submit(c.ToCommand(p.RunId)).Id).ToList();
        var approved = new ProposalEvent(p.Run, p.ProposalId, ProposalState.Approved, p.Source, p.Commands, p.Title) { Revision = p.Revision + 1, Actor = actor, CommandIds = ids };
        _latest[proposalId] = approved;
        return Task.FromResult(approved);
    }

    public Task<ProposalEvent> RejectAsync(string proposalId, string? reason = null, string? actor = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<ProposalEvent?> GetAsync(string proposalId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_latest.TryGetValue(proposalId, out var p) ? p : null);

    public Task<IReadOnlyList<ProposalEvent>> GetHistoryAsync(string proposalId, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<IReadOnlyList<ProposalEvent>> ListAsync(ProposalQuery query, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<ProposalEvent>>([.. _latest.Values.Where(p => query.RunId is null || p.RunId == query.RunId)]);
}
