using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.Diagnostics;
using TrainInsight.Proposals;
using TrainInsight.Torch;

namespace TrainInsight.DiagnosisBenchmark.Proposals;

/// <summary>
/// Runs a real <see cref="DiagnosisEngine"/> and <see cref="ProposalManager"/> on the run's bus and, at the first step
/// boundary where a rule proposal is pending, approves it as a person would (or, for the baseline, rejects it and approves
/// one random applicable action with a measured outcome: lr × 0.1, lr × 10 or weight decay 5e-4). The manager applies it
/// through the control mailbox after a checkpoint and measures the outcome.
/// </summary>
internal sealed class ProposalHook(bool baseline, int seed, ProposalOptions options) : IRunHooks
{
    private DiagnosisEngine? _engine;
    private ProposalManager? _manager;
    private string _runId = string.Empty;
    private bool _acted;

    public string? ProposalId { get; private set; }

    public ProposalEvent? Final { get; private set; }

    public IReadOnlyList<ProposalEvent> History { get; private set; } = [];

    public void Started(ITelemetryBus bus, ITrainingControl control, RunDescriptor run)
    {
        _runId = run.Id;
        _engine = new DiagnosisEngine(bus);
        _manager = new ProposalManager(bus, control, new InMemoryMetricStore(), options);
        _manager.Start();
        _engine.Start();
    }

    public void BeforeBoundary(TrainingSession session)
    {
        if (_acted || _manager is null)
        {
            return;
        }

        var pending = _manager.ListAsync(new ProposalQuery { RunId = _runId, State = ProposalState.Pending }).GetAwaiter().GetResult();
        if (pending.LastOrDefault(p => p.Source == ProposalSource.Rule) is not { } top)
        {
            return;
        }

        _acted = true;
        if (!baseline)
        {
            ProposalId = top.ProposalId;
            _manager.ApproveAsync(top.ProposalId, "benchmark").GetAwaiter().GetResult();
            return;
        }

        _manager.RejectAsync(top.ProposalId, "baseline: a random action instead", "benchmark").GetAwaiter().GetResult();
        var rate = _manager.GetAsync(top.ProposalId).GetAwaiter().GetResult()!.Run.Hyperparameters.TryGetValue(HyperparameterNames.LearningRate, out var hp)
            && hp.Kind == HyperparameterKind.Number ? hp.Number : 1e-3;
        var choices = new List<FixCommand> { new(ControlAction.SetLearningRate, rate * 0.1), new(ControlAction.SetWeightDecay, 5e-4) };
        if (rate * 10 <= 10)
        {
            choices.Add(new FixCommand(ControlAction.SetLearningRate, rate * 10));
        }

        // A stable hash of the run id (string.GetHashCode differs per process): another pick per scenario, the same every time.
        var hash = _runId.Aggregate(2166136261u, (h, c) => (h ^ c) * 16777619u);
        var pick = choices[new Random(seed ^ (int)(hash & 0x7fffffff)).Next(choices.Count)];
        var random = _manager.ProposeAsync(new ProposalRequest(_runId, [pick], ProposalSource.External) { Rationale = "random baseline" }).GetAwaiter().GetResult();
        ProposalId = random.ProposalId;
        _manager.ApproveAsync(random.ProposalId, "benchmark").GetAwaiter().GetResult();
    }

    public void Finished()
    {
        if (_manager is not null && ProposalId is { } id)
        {
            // The manager follows the bus off the training thread: wait until it has settled the proposal.
            var until = DateTime.UtcNow.AddSeconds(20);
            ProposalEvent? latest;
            do
            {
                latest = _manager.GetAsync(id).GetAwaiter().GetResult();
                if (latest is { State: not ProposalState.Approved } && (latest.Outcome is not null || latest.Reason is not null || latest.TargetMetric is null || latest.State != ProposalState.Applied))
                {
                    break;
                }

                Thread.Sleep(20);
            }
            while (DateTime.UtcNow < until);

            Final = latest;
            History = _manager.GetHistoryAsync(id).GetAwaiter().GetResult();
        }

        _engine?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
        _manager?.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(10));
    }
}
