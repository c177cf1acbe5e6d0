namespace TrainInsight.Torch.Training;

/// <summary>The optimizer a <see cref="VisionTrainer"/> uses.</summary>
public enum TrainerOptimizer
{
    /// <summary>Adam (with L2 weight decay when <see cref="VisionTrainerOptions.WeightDecay"/> is set).</summary>
    Adam,

    /// <summary>AdamW: Adam with decoupled weight decay (<see cref="VisionTrainerOptions.WeightDecay"/>).</summary>
    AdamW,

    /// <summary>Stochastic gradient descent with <see cref="VisionTrainerOptions.Momentum"/> and L2 weight decay.</summary>
    SgdMomentum,
}
