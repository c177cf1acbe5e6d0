namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>Synthetic runs and events.</summary>
internal static class TestEvents
{
    public static RunDescriptor Run(string id = "run-a") => new(id);

    public static MetricEvent Metric(RunDescriptor run, long step, params (string Name, double Value)[] values) =>
        new(run, step, values.ToDictionary(v => v.Name, v => v.Value));

    public static MetricEvent Loss(RunDescriptor run, long step) => Metric(run, step, (MetricNames.TrainLoss, 1.0 / step));

    public static TrainingEvent EpochCompleted(RunDescriptor run, int epoch, long step, params (string Name, double Value)[] metrics) =>
        new(run, TrainingEventKind.EpochCompleted)
        {
            Epoch = epoch,
            Step = step,
            State = RunState.Training,
            Metrics = metrics.ToDictionary(m => m.Name, m => m.Value),
        };
}
