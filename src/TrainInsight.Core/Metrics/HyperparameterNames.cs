namespace TrainInsight;

/// <summary>
/// The hyperparameter names TrainInsight's own trainers record and its diagnosis reads. Any other name may be used too.
/// </summary>
public static class HyperparameterNames
{
    /// <summary>The optimizer: "adam", "adamw", "sgd", …</summary>
    public const string Optimizer = "optimizer";

    /// <summary>The initial (peak) learning rate.</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>The learning-rate schedule: "constant", "step", "cosine", … (the design's <c>advanced_metrics.lr_schedule</c>).</summary>
    public const string LearningRateSchedule = "lr_schedule";

    /// <summary>The number of warm-up steps of the schedule.</summary>
    public const string WarmupSteps = "warmup_steps";

    /// <summary>The batch size.</summary>
    public const string BatchSize = "batch_size";

    /// <summary>The weight decay (L2 penalty).</summary>
    public const string WeightDecay = "weight_decay";

    /// <summary>The momentum of an SGD optimizer.</summary>
    public const string Momentum = "momentum";

    /// <summary>The planned number of epochs.</summary>
    public const string Epochs = "epochs";

    /// <summary>The data augmentation: "none", "flip_crop", …</summary>
    public const string Augmentation = "augmentation";

    /// <summary>Whether the training data is shuffled every epoch.</summary>
    public const string Shuffle = "shuffle";

    /// <summary>The random seed.</summary>
    public const string Seed = "seed";
}
