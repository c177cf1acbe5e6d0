namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>Synthetic runs and events.</summary>
internal static class TestEvents
{
    public static RunDescriptor Run(string id = "run-a") => new(id);

    public static MetricEvent Metric(RunDescriptor run, long step, params (string Name, double Value)[] values) =>
        new(run, step, values.ToDictionary(v => v.Name, v => v.Value));

    public static MetricEvent Loss(RunDescriptor run, long step) => Metric(run, step, (MetricNames.TrainLoss, 1.0 / step));

    /// <summary>The time of <see cref="Finding"/>'s revisions: 1767225600.25 in Unix seconds.</summary>
    public static readonly DateTimeOffset FindingTime = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_250);

    /// <summary>
    /// A learning_rate_too_high finding (first raised 30 s before <see cref="FindingTime"/> at step 100, 40 steps per revision)
    /// with a finite and a NaN evidence item, a live fix and a code change.
    /// </summary>
    public static FindingEvent Finding(
        RunDescriptor run,
        string? findingId = null,
        FindingState state = FindingState.Open,
        FindingSeverity severity = FindingSeverity.Warning,
        int revision = 1) =>
        new(run, findingId ?? $"{run.Id}/learning_rate_too_high/1", FindingLabels.LearningRateTooHigh, severity, state,
            "train_loss swings by 46% of its mean over the last 20 samples at learning rate 0.001.", FindingTime.AddSeconds(10 * (revision - 1)))
        {
            Confidence = 0.8,
            Revision = revision,
            FirstStep = 100,
            Step = 100 + (40 * (revision - 1)),
            FirstSeenAt = FindingTime.AddSeconds(-30),
            Evidence =
            [
                new FindingEvidence(MetricNames.TrainLoss, 2.31, 100 + (40 * (revision - 1)), "std/mean of the last 20 samples", 0.25),
                new FindingEvidence(MetricNames.UpdateRatio, double.NaN, 100, "median update ratio"),
            ],
            Fixes =
            [
                new SuggestedFix("lower_learning_rate", FixKind.LiveAction, "Set the learning rate to 0.0001 (0.001 × 0.1)", "Smaller steps stop the oscillation.", [new FixCommand(ControlAction.SetLearningRate, 0.0001)]),
                new SuggestedFix("add_warmup", FixKind.CodeChange, "Add a learning-rate warm-up of 500 steps", "Warm-up avoids large early updates."),
            ],
        };

    public static TrainingEvent EpochCompleted(RunDescriptor run, int epoch, long step, params (string Name, double Value)[] metrics) =>
        new(run, TrainingEventKind.EpochCompleted)
        {
            Epoch = epoch,
            Step = step,
            State = RunState.Training,
            Metrics = metrics.ToDictionary(m => m.Name, m => m.Value),
        };

    /// <summary>
    /// An applied, measured revision (3) of a rule proposal that lowered the learning rate, with every optional field set and
    /// an outcome whose after value was not finite; made 60 s before <see cref="FindingTime"/>, this revision at it.
    /// </summary>
    public static ProposalEvent MeasuredProposal(RunDescriptor run, string proposalId = "prop_0123456789abcdef0123456789abcdef") =>
        new(run, proposalId, ProposalState.Applied, ProposalSource.Rule,
            [new FixCommand(ControlAction.SetLearningRate, 0.001), new FixCommand(ControlAction.RestoreCheckpoint) { Path = "checkpoints/step-400.pt" }],
            "Set the learning rate to 0.001 (0.01 ÷ 10)", FindingTime)
        {
            Revision = 3,
            CreatedAt = FindingTime.AddSeconds(-60),
            Rationale = "train_loss rose 3× in 50 steps.",
            ExpectedEffect = "The loss falls within 100 steps.",
            FindingId = $"{run.Id}/divergence/1",
            FindingLabel = FindingLabels.Divergence,
            TargetMetric = MetricNames.TrainLoss,
            Actor = "trainer",
            Reason = "Applied at step 420.",
            AutoApplied = true,
            CommandIds = ["cmd_1", "cmd_2"],
            CheckpointPath = "checkpoints/before-prop.pt",
            PreviousValues = new Dictionary<string, double> { [MetricNames.LearningRate] = 0.01 },
            AppliedStep = 420,
            Outcome = new ProposalOutcome(MetricNames.TrainLoss, ProposalVerdict.Hurt, 2.5, double.NaN, 2.4, double.NaN, "train_loss stopped being finite.")
            {
                BeforeCount = 20,
                AfterCount = 20,
                FromStep = 380,
                ToStep = 460,
            },
            RevertOf = "prop_old",
            SupersededBy = "prop_new",
        };

    /// <summary>A pending external pause proposal (revision 1) made at <see cref="FindingTime"/>.</summary>
    public static ProposalEvent PendingProposal(RunDescriptor run, string proposalId = "prop_pending") =>
        new(run, proposalId, ProposalState.Pending, ProposalSource.External, [new FixCommand(ControlAction.Pause)], "Pause the run", FindingTime);

    /// <summary>An automatic analysis of a finding by the rules, with two proposals, at <see cref="FindingTime"/>.</summary>
    public static AssistantAnalysisEvent Analysis(RunDescriptor run) =>
        new(run, "finding", AssistantSource.Rules, "From the rules: train_loss diverged at step 400.", FindingTime)
        {
            Step = 400,
            FindingId = $"{run.Id}/divergence/1",
            Language = "en",
            Notice = "No chat client is registered.",
            ProposalIds = ["prop_1", "prop_2"],
        };
}
