namespace TrainInsight.Diagnostics.Internal;

/// <summary>One validation of a run with the training metrics averaged since the previous one.</summary>
internal readonly record struct EpochCheck(int Epoch, long Step, double? ValLoss, double? ValAccuracy, double? TrainLoss, double? TrainAccuracy)
{
    public string ValLossName { get; init; } = MetricNames.ValLoss;

    public string ValAccuracyName { get; init; } = MetricNames.ValAccuracy;

    public string TrainLossName { get; init; } = MetricNames.TrainLoss;

    public string TrainAccuracyName { get; init; } = MetricNames.TrainAccuracy;
}
