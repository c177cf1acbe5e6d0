namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// A hand-written, in-memory <see cref="IProposalService"/>: pending → approved or rejected, every revision published on the
/// bus (so the streams and the store see it). Runs are known when the bus knows them; <see cref="EndedRuns"/> refuse proposals.
/// </summary>
internal sealed class FakeProposalService(ITelemetryBus bus) : IProposalService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<ProposalEvent>> _revisions = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];
    private int _next;

    /// <summary>Gets the runs that have ended: ProposeAsync throws <see cref="ProposalStateException"/> for them.</summary>
    public HashSet<string> EndedRuns { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets the requests ProposeAsync received.</summary>
    public List<ProposalRequest> Requests { get; } = [];

    /// <summary>Gets the decisions received: (operation, proposal id, reason, actor).</summary>
    public List<(string Operation, string ProposalId, string? Reason, string? Actor)> Decisions { get; } = [];

    public Task<ProposalEvent> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken = default)
    {
        foreach (var command in request.Commands)
        {
            if (command.Action == ControlAction.SetLearningRate && command.Value is not > 0)
            {
                throw new ArgumentException($"A learning rate must be positive; {command.Value} was given.", nameof(request));
            }
        }

        var snapshot = bus.GetCurrent(request.RunId) ?? throw new RunNotFoundException($"Run '{request.RunId}' is unknown: neither the bus nor the store has an event of it.");
        if (EndedRuns.Contains(request.RunId))
        {
            throw new ProposalStateException($"Run '{request.RunId}' has ended: there is nothing left to steer.");
        }

        lock (_gate)
        {
            Requests.Add(request);
            var id = $"prop_{++_next:x32}";
            var proposal = new ProposalEvent(snapshot.Run, id, ProposalState.Pending, request.Source, request.Commands, request.Title ?? $"Apply {request.Commands.Count} command(s)")
            {
                Rationale = request.Rationale,
                ExpectedEffect = request.ExpectedEffect,
                TargetMetric = request.TargetMetric,
                Actor = request.Actor,
            };
            AddLocked(proposal);
            return Task.FromResult(proposal);
        }
    }

    public Task<ProposalEvent> ApproveAsync(string proposalId, string? actor = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(Decide("approve", proposalId, ProposalState.Approved, null, actor));

    public Task<ProposalEvent> RejectAsync(string proposalId, string? reason = null, string? actor = null, CancellationToken cancellationToken = default)
    {
        if (reason is { Length: > ProposalRequest.MaxTextLength })
        {
            throw new ArgumentException($"The reason is {reason.Length:N0} characters long; the most is {ProposalRequest.MaxTextLength:N0}.", nameof(reason));
        }

        return Task.FromResult(Decide("reject", proposalId, ProposalState.Rejected, reason, actor));
    }

    public Task<ProposalEvent?> GetAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_revisions.TryGetValue(proposalId, out var revisions) ? revisions[^1] : null);
        }
    }

    public Task<IReadOnlyList<ProposalEvent>> GetHistoryAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ProposalEvent>>(_revisions.TryGetValue(proposalId, out var revisions) ? [.. revisions] : []);
        }
    }

    public Task<IReadOnlyList<ProposalEvent>> ListAsync(ProposalQuery query, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            IReadOnlyList<ProposalEvent> result = [.. Enumerable.Reverse(_order).Select(id => _revisions[id][^1])
                .Where(p => (query.RunId is null || p.RunId == query.RunId) && (query.State is null || p.State == query.State))
                .Take(query.Limit)];
            return Task.FromResult(result);
        }
    }

    /// <summary>Adds a revision as it is (for seeding states the fake cannot reach: applied, measured, expired) and publishes it.</summary>
    public void Add(ProposalEvent revision)
    {
        lock (_gate)
        {
            AddLocked(revision);
        }
    }

    /// <summary>The next revision of <paramref name="previous"/>: every field kept, the state, actor and reason changed.</summary>
    public static ProposalEvent Next(ProposalEvent previous, ProposalState state, string? actor, string? reason = null) =>
        new(previous.Run, previous.ProposalId, state, previous.Source, previous.Commands, previous.Title, previous.Timestamp.AddSeconds(1))
        {
            Revision = previous.Revision + 1,
            CreatedAt = previous.CreatedAt,
            Rationale = previous.Rationale,
            ExpectedEffect = previous.ExpectedEffect,
            FindingId = previous.FindingId,
            FindingLabel = previous.FindingLabel,
            TargetMetric = previous.TargetMetric,
            Actor = actor,
            Reason = reason,
            AutoApplied = previous.AutoApplied,
            CommandIds = previous.CommandIds,
            CheckpointPath = previous.CheckpointPath,
            PreviousValues = previous.PreviousValues,
            AppliedStep = previous.AppliedStep,
            Outcome = previous.Outcome,
            RevertOf = previous.RevertOf,
            SupersededBy = previous.SupersededBy,
        };

    private ProposalEvent Decide(string operation, string proposalId, ProposalState state, string? reason, string? actor)
    {
        lock (_gate)
        {
            Decisions.Add((operation, proposalId, reason, actor));
            if (!_revisions.TryGetValue(proposalId, out var revisions))
            {
                throw new ProposalNotFoundException($"Proposal '{proposalId}' is unknown.") { ProposalId = proposalId };
            }

            var latest = revisions[^1];
            if (latest.State != ProposalState.Pending)
            {
                throw new ProposalStateException($"Proposal '{proposalId}' is {latest.State.ToString().ToLowerInvariant()}, not pending: it cannot be {(state == ProposalState.Approved ? "approved" : "rejected")}.")
                {
                    ProposalId = proposalId,
                    State = latest.State,
                };
            }

            var next = Next(latest, state, actor, reason);
            AddLocked(next);
            return next;
        }
    }

    private void AddLocked(ProposalEvent revision)
    {
        if (!_revisions.TryGetValue(revision.ProposalId, out var revisions))
        {
            revisions = [];
            _revisions.Add(revision.ProposalId, revisions);
            _order.Add(revision.ProposalId);
        }

        revisions.Add(revision);
        bus.TryPublish(revision).Should().BeTrue("the bus accepts every revision in these tests");
    }
}
