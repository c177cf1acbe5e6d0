namespace TrainInsight.Torch.Training;

/// <summary>What a <see cref="VisionTrainer"/> run achieved.</summary>
public sealed class TrainingSummary
{
    /// <summary>Gets the run.</summary>
    public required RunDescriptor Run { get; init; }

    /// <summary>Gets how the run ended.</summary>
    public required RunState State { get; init; }

    /// <summary>Gets the number of optimizer steps taken.</summary>
    public required long Steps { get; init; }

    /// <summary>Gets the number of epochs completed.</summary>
    public required int EpochsCompleted { get; init; }

    /// <summary>Gets the last validation loss, or <see langword="null"/> when no validation ran.</summary>
    public double? ValidationLoss { get; init; }

    /// <summary>Gets the last validation accuracy (0..1), or <see langword="null"/> when no validation ran.</summary>
    public double? ValidationAccuracy { get; init; }

    /// <summary>Gets the wall time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }
}
