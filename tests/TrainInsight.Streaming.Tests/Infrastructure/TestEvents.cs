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
}
