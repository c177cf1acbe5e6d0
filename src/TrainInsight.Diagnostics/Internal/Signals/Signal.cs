namespace TrainInsight.Diagnostics.Internal;

/// <summary>The signals the detectors read, each the canonical <see cref="MetricNames"/> name of a trainer's metric.</summary>
internal enum Signal
{
    TrainLoss,
    ValLoss,
    TrainAccuracy,
    ValAccuracy,
    LearningRate,
    GradientNorm,
    UpdateRatio,
    DeadRelu,
    Saturation,
    DataTime,
    BatchTime,
    InputMean,
    InputStd,
    BatchClassShare,
}
