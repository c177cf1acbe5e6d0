namespace TrainInsight.Proposals.Tests.Infrastructure;

/// <summary>A real bus, store and control mailbox with a started <see cref="ProposalManager"/> and one scripted trainer.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private int _barriers;

    public Harness(ProposalOptions? options = null, bool attach = true)
    {
        Store = new InMemoryMetricStore();
        Control = TrainingControl.Create();
        Bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(20) }, Store, Control);
        Manager = new ProposalManager(Bus, Control, Store, options ?? new ProposalOptions());
        Manager.Start();
        Trainer = attach ? new ScriptedTrainer(Bus, Control) : null!;
    }

    public InMemoryMetricStore Store { get; }

    public ITrainingControl Control { get; }

    public ITelemetryBus Bus { get; }

    public ProposalManager Manager { get; }

    public ScriptedTrainer Trainer { get; }

    /// <summary>Waits until the manager has handled everything published so far (a sentinel run's event comes after it).</summary>
    public async Task SettleAsync()
    {
        var id = $"barrier-{++_barriers}";
        Bus.TryPublish(new TrainingEvent(new RunDescriptor(id), TrainingEventKind.RunStarted)).Should().BeTrue();
        await Poll.UntilAsync(() => Manager.HasSeenRun(id), "the manager handles the barrier");
    }

    /// <summary>Trains steps with the given losses and settles.</summary>
    public async Task TrainAsync(params double[] losses)
    {
        foreach (var loss in losses)
        {
            Trainer.Train(loss);
        }

        await SettleAsync();
    }

    public async Task<ProposalEvent> LatestAsync(string id) => (await Manager.GetAsync(id))!;

    public ProposalRequest LearningRate(double value, ProposalSource source = ProposalSource.External) =>
        new(Trainer.Run.Id, [new FixCommand(ControlAction.SetLearningRate, value)], source) { Rationale = "test" };

    public static FindingEvent Finding(RunDescriptor run, string id, FindingSeverity severity, FixCommand fix, FindingState state = FindingState.Open) =>
        new(run, id, FindingLabels.Divergence, severity, state, "The loss rose from 0.5 to 4.2 in 30 steps.")
        {
            Step = 10,
            Fixes = [new SuggestedFix("lower_lr", FixKind.LiveAction, "Lower the learning rate", "A smaller step stops the overshoot.", [fix])],
        };

    public async ValueTask DisposeAsync()
    {
        Trainer?.Dispose();
        await Manager.DisposeAsync();
        await Bus.DisposeAsync();
    }
}
