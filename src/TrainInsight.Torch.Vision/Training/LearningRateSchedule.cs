namespace TrainInsight.Torch.Training;

/// <summary>How the learning rate changes over a run after the optional warm-up (see <see cref="LearningRateScheduler"/>).</summary>
public enum LearningRateSchedule
{
    /// <summary>The base learning rate throughout.</summary>
    Constant,

    /// <summary>The base rate multiplied by a factor (gamma) every fixed number of steps.</summary>
    Step,

    /// <summary>Half a cosine wave from the base rate down to 0 over the planned steps.</summary>
    Cosine,
}
