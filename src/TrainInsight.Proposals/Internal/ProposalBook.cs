using System.Globalization;

namespace TrainInsight.Proposals.Internal;

/// <summary>
/// The proposals' state machine, not thread-safe: the manager calls it under its lock. Every transition becomes a new
/// revision handed to <c>publish</c>; commands go to the control mailbox only from <see cref="Approve"/>.
/// </summary>
internal sealed class ProposalBook(ITrainingControl control, ProposalOptions options, TimeProvider time, Action<ProposalEvent> publish)
{
    public const string SystemActor = "system";
    public const string TrainerActor = "trainer";
    public const string AutoApplyActor = "auto-apply";

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Dictionary<string, RunTrack> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Entry> _byCommand = new(StringComparer.Ordinal);

    public long Reverts { get; private set; }

    public Entry? Find(string proposalId) => _entries.GetValueOrDefault(proposalId);

    public IEnumerable<Entry> Entries => _entries.Values;

    public RunTrack? Run(string runId) => _runs.GetValueOrDefault(runId);

    public RunTrack Track(RunDescriptor run, RunState? state = null)
    {
        if (!_runs.TryGetValue(run.Id, out var track))
        {
            track = new RunTrack(run, options.OutcomeWindow);
            _runs.Add(run.Id, track);
        }

        if (state is RunState.Stopped or RunState.Completed or RunState.Failed)
        {
            track.Ended = true;
        }

        return track;
    }

    /// <summary>Adopts a proposal read from the store (made by an earlier process) so that it can be decided.</summary>
    public Entry Adopt(IReadOnlyList<ProposalEvent> history)
    {
        var entry = new Entry(history[0]);
        entry.History.AddRange(history.Skip(1));
        Add(entry);
        return entry;
    }

    public ProposalEvent Propose(ProposalRequest request, RunTrack track)
    {
        if (track.Ended)
        {
            throw new ProposalStateException($"Run '{request.RunId}' has ended; there is nothing left to steer.");
        }

        CommandRules.Validate(request.Commands);
        var pending = _entries.Values.Where(e => e.Latest.State == ProposalState.Pending && e.Latest.RunId == request.RunId).ToList();
        if (pending.FirstOrDefault(e => CommandRules.SameCommands(e.Latest.Commands, request.Commands)) is { } same)
        {
            return same.Latest;
        }

        var current = track.Current();
        var id = "prop_" + Guid.NewGuid().ToString("N");
        var target = request.TargetMetric ?? (CommandRules.ChangesTraining(request.Commands) ? MetricNames.TrainLoss : null);
        if (target is not null)
        {
            track.Track(target);
        }

        var first = new ProposalEvent(track.Run, id, ProposalState.Pending, request.Source, request.Commands,
            request.Title ?? CommandRules.Title(request.Commands, current), time.GetUtcNow())
        {
            Rationale = request.Rationale,
            ExpectedEffect = request.ExpectedEffect,
            FindingId = request.FindingId,
            FindingLabel = request.FindingLabel,
            TargetMetric = target,
            RevertOf = request.RevertOf,
            Actor = request.Actor ?? SourceActor(request.Source),
        };
        var entry = new Entry(first);
        Add(entry);
        publish(first);
        foreach (var older in pending.Where(e => CommandRules.Supersedes(request.Commands, e.Latest.Commands)))
        {
            Revise(older, ProposalState.Expired, SystemActor, $"Superseded by {id}: {first.Title}.", supersededBy: id);
        }

        return AutoApplyPolicy.Allows(options, first, track) is { } rule ? Approve(entry, AutoApplyActor, autoApplied: true, rule) : first;
    }

    public ProposalEvent Approve(Entry entry, string actor, bool autoApplied = false, string? rule = null)
    {
        var proposal = entry.Latest;
        if (proposal.State != ProposalState.Pending)
        {
            throw new ProposalStateException($"Proposal {proposal.ProposalId} is {Name(proposal.State)}, not pending; only a pending proposal can be approved.")
            {
                ProposalId = proposal.ProposalId,
                State = proposal.State,
            };
        }

        var track = Track(proposal.Run);
        var commands = new List<ControlCommand>();
        ControlCommand? checkpoint = null;
        if (options.CheckpointBeforeApply && CommandRules.ChangesTraining(proposal.Commands)
            && !proposal.Commands.Any(c => c.Action is ControlAction.SaveCheckpoint or ControlAction.RestoreCheckpoint))
        {
            checkpoint = new ControlCommand(ControlAction.SaveCheckpoint, proposal.RunId);
            commands.Add(checkpoint);
        }

        var own = proposal.Commands.Select(c => c.ToCommand(proposal.RunId)).ToList();
        commands.AddRange(own);

        // The approval is published (with the command ids) before anything is queued, so it precedes the acknowledgements.
        var approved = Revise(entry, ProposalState.Approved, actor, rule, autoApplied: autoApplied, commandIds: [.. commands.Select(c => c.Id)]);
        if (autoApplied)
        {
            track.AutoApplied++;
        }

        var queued = new List<string>();
        foreach (var command in commands)
        {
            try
            {
                control.Submit(command);
            }
            catch (Exception ex) when (ex is RunNotActiveException or ControlQueueFullException)
            {
                foreach (var id in queued)
                {
                    _byCommand.Remove(id);
                }

                var done = queued.Count == 0 ? "Nothing was queued." : $"Already queued and still applied: {string.Join(", ", commands.Take(queued.Count).Select(c => CommandRules.Name(c.Action)))}.";
                return Revise(entry, ProposalState.Failed, SystemActor, $"{CommandRules.Name(command.Action)} could not be queued: {ex.Message} {done}");
            }

            queued.Add(command.Id);
            _byCommand[command.Id] = entry;
        }

        entry.CheckpointCommandId = checkpoint?.Id;
        entry.Waiting.AddRange(own);
        return approved;
    }

    public ProposalEvent Reject(Entry entry, string actor, string? reason)
    {
        var proposal = entry.Latest;
        if (proposal.State != ProposalState.Pending)
        {
            throw new ProposalStateException($"Proposal {proposal.ProposalId} is {Name(proposal.State)}, not pending; only a pending proposal can be rejected.")
            {
                ProposalId = proposal.ProposalId,
                State = proposal.State,
            };
        }

        return Revise(entry, ProposalState.Rejected, actor, string.IsNullOrWhiteSpace(reason) ? null : reason);
    }

    /// <summary>Applies one bus event; returns the findings' requests the caller should propose.</summary>
    public ProposalRequest? Observe(TrainInsightEvent item)
    {
        switch (item)
        {
            case MetricEvent metrics:
                ObserveMetrics(metrics);
                return null;
            case TrainingEvent training:
                ObserveTraining(training);
                return null;
            case FindingEvent finding:
                return ObserveFinding(finding);
            default:
                return null;
        }
    }

    private void ObserveMetrics(MetricEvent metrics)
    {
        var track = Track(metrics.Run);
        track.Observe(metrics);
        for (var i = track.Measuring.Count - 1; i >= 0; i--)
        {
            var entry = track.Measuring[i];
            if (metrics.Values.TryGetValue(entry.Latest.TargetMetric!, out var value) && metrics.Step > entry.AppliedStep)
            {
                entry.After.Add((metrics.Step, value));
                if (entry.After.Count >= options.OutcomeWindow || !double.IsFinite(value))
                {
                    track.Measuring.RemoveAt(i);
                    Measure(entry, track);
                }
            }
        }
    }

    private void ObserveTraining(TrainingEvent training)
    {
        var track = Track(training.Run);
        switch (training.Kind)
        {
            case TrainingEventKind.RunStarted:
                track.Ended = false;
                track.Run = training.Run;
                break;
            case TrainingEventKind.CheckpointSaved when training.CheckpointPath is not null:
                track.LastCheckpointPath = training.CheckpointPath;
                break;
            case TrainingEventKind.ControlApplied when training.Command is { } command && _byCommand.Remove(command.Id, out var entry):
                Acknowledge(entry, track, command, training);
                break;
        }

        if (training.Kind == TrainingEventKind.RunFinished || training.State is RunState.Stopped or RunState.Completed or RunState.Failed)
        {
            if (!track.Ended || training.Kind == TrainingEventKind.RunFinished)
            {
                End(track, training);
            }
        }
    }

    private ProposalRequest? ObserveFinding(FindingEvent finding)
    {
        if (finding.State == FindingState.Resolved)
        {
            foreach (var entry in _entries.Values.Where(e => e.Latest.State == ProposalState.Pending && e.Latest.FindingId == finding.FindingId).ToList())
            {
                Revise(entry, ProposalState.Expired, SystemActor, $"The finding it came from ({finding.Label}) resolved at step {finding.Step}.");
            }

            return null;
        }

        if (!options.ProposeFindingFixes || finding.Revision != 1 || finding.Severity < options.MinFindingSeverity
            || Track(finding.Run).Ended
            || finding.Fixes.FirstOrDefault(f => f.Kind == FixKind.LiveAction && f.Commands.Count > 0) is not { } fix)
        {
            return null;
        }

        return new ProposalRequest(finding.RunId, fix.Commands, ProposalSource.Rule)
        {
            Rationale = Clip($"{finding.Message} {fix.Rationale}".Trim()),
            ExpectedEffect = Clip(fix.Rationale),
            FindingId = finding.FindingId,
            FindingLabel = finding.Label,
            Actor = "diagnosis",
        };
    }

    private void Acknowledge(Entry entry, RunTrack track, ControlCommand command, TrainingEvent ack)
    {
        var applied = ack.ControlStatus == ControlStatus.Applied;
        if (command.Id == entry.CheckpointCommandId)
        {
            if (applied)
            {
                entry.CheckpointPath = track.LastCheckpointPath;
            }
            else
            {
                entry.CheckpointNote = $"No checkpoint was saved before applying it ({ack.Message ?? "the trainer rejected the save"}), so it cannot be reverted.";
            }

            return;
        }

        if (entry.PreviousValues is null)
        {
            // The first acknowledgement of the proposal's own commands: the metrics seen so far still show the old values.
            entry.SnapshotPreviousValues(track);
        }

        entry.Waiting.RemoveAll(c => c.Id == command.Id);
        entry.Acknowledged.Add(applied
            ? $"{CommandRules.Name(command.Action)} applied at step {ack.Step}"
            : $"{CommandRules.Name(command.Action)} rejected at step {ack.Step}: {ack.Message}");
        if (!applied && entry.Failure is null)
        {
            entry.Failure = $"The trainer rejected {CommandRules.Name(command.Action)}: {ack.Message ?? "no reason given"}";
        }

        if (entry.Waiting.Count > 0)
        {
            return;
        }

        if (entry.Failure is { } failure)
        {
            var others = entry.Acknowledged.Count > 1 ? $" ({string.Join("; ", entry.Acknowledged)})" : "";
            Revise(entry, ProposalState.Failed, TrainerActor, failure + others);
            return;
        }

        var recent = track.Recent(MetricNames.TrainLoss);
        entry.AppliedStep = ack.Step ?? (recent.Count > 0 ? recent[^1].Step : 0);
        var target = entry.Latest.TargetMetric;
        entry.Before = target is null ? [] : track.Recent(target);
        var note = entry.CheckpointNote;
        if (target is not null && entry.Before.Count(p => double.IsFinite(p.Value)) < options.MinOutcomeUpdates)
        {
            note = Join(note, $"The outcome is not measured: only {entry.Before.Count} update(s) of {target} came before it (at least {options.MinOutcomeUpdates} are needed).");
            target = null;
        }

        Revise(entry, ProposalState.Applied, TrainerActor, note, appliedStep: entry.AppliedStep);
        if (target is not null)
        {
            track.Measuring.Add(entry);
        }
    }

    private void Measure(Entry entry, RunTrack track)
    {
        var outcome = OutcomeMeter.Measure(entry.Latest.TargetMetric!, entry.Before, entry.After, options.HelpedMargin, options.HurtMargin);
        var measured = Revise(entry, ProposalState.Applied, SystemActor, null, outcome: outcome);
        if (outcome.Verdict != ProposalVerdict.Hurt || !options.ProposeReverts || track.Ended || measured.Source == ProposalSource.Revert)
        {
            return;
        }

        if (measured.CheckpointPath is not { } path)
        {
            return;
        }

        Reverts++;
        Propose(RevertRequest.For(measured, outcome, path), track);
    }

    private void End(RunTrack track, TrainingEvent ended)
    {
        track.Ended = true;
        var why = $"The run ended ({Name(ended.State ?? RunState.Completed)}) at step {ended.Step?.ToString(CultureInfo.InvariantCulture) ?? "?"} before anybody decided.";
        foreach (var entry in _entries.Values.Where(e => e.Latest.RunId == track.Run.Id && e.Latest.State == ProposalState.Pending).ToList())
        {
            Revise(entry, ProposalState.Expired, SystemActor, why);
        }

        foreach (var entry in track.Measuring.ToList())
        {
            track.Measuring.Remove(entry);
            if (entry.After.Count >= options.MinOutcomeUpdates)
            {
                Measure(entry, track);
            }
            else
            {
                Revise(entry, ProposalState.Applied, SystemActor,
                    $"The outcome is not measured: the run ended after {entry.After.Count} update(s) of {entry.Latest.TargetMetric} (at least {options.MinOutcomeUpdates} are needed).");
            }
        }
    }

    private ProposalEvent Revise(Entry entry, ProposalState state, string actor, string? reason, bool? autoApplied = null,
        IReadOnlyList<string>? commandIds = null, long? appliedStep = null, ProposalOutcome? outcome = null, string? supersededBy = null)
    {
        var next = ProposalRevision.Next(entry.Latest, state, time.GetUtcNow(), actor, reason, autoApplied, commandIds, entry.CheckpointPath,
            entry.PreviousValues, appliedStep, outcome, supersededBy);
        entry.History.Add(next);
        publish(next);
        return next;
    }

    private void Add(Entry entry)
    {
        _entries[entry.Id] = entry;
        _order.Enqueue(entry.Id);
        while (_entries.Count > options.MaxProposalsInMemory && _order.TryPeek(out var oldest))
        {
            if (_entries.TryGetValue(oldest, out var old) && IsLive(old))
            {
                // The oldest still needs its state here; memory is over the limit until it settles.
                break;
            }

            _order.Dequeue();
            _entries.Remove(oldest);
        }
    }

    private bool IsLive(Entry entry) =>
        entry.Latest.State is ProposalState.Pending or ProposalState.Approved
        || (_runs.TryGetValue(entry.Latest.RunId, out var track) && track.Measuring.Contains(entry));

    private static string SourceActor(ProposalSource source) => source switch
    {
        ProposalSource.Rule => "diagnosis",
        ProposalSource.Model => "assistant",
        ProposalSource.Command => "assistant",
        ProposalSource.Revert => SystemActor,
        _ => "anonymous",
    };

    private static string? Join(string? a, string b) => a is null ? b : a + " " + b;

    private static string Clip(string text, int max = ProposalRequest.MaxTextLength) => text.Length <= max ? text : text[..(max - 1)] + "…";

    public static string Name(ProposalState state) => state.ToString().ToLowerInvariant();

    private static string Name(RunState state) => state.ToString().ToLowerInvariant();
}
