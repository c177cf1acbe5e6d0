namespace TrainInsight;

/// <summary>The well-known metric names. Any other name is allowed too.</summary>
public static class MetricNames
{
    /// <summary>Training loss of the sampled batch ("train_loss").</summary>
    public const string TrainLoss = "train_loss";

    /// <summary>Validation loss ("val_loss").</summary>
    public const string ValLoss = "val_loss";

    /// <summary>Training accuracy of the sampled batch, 0..1 ("train_accuracy").</summary>
    public const string TrainAccuracy = "train_accuracy";

    /// <summary>Validation accuracy, 0..1 ("val_accuracy").</summary>
    public const string ValAccuracy = "val_accuracy";

    /// <summary>Best validation accuracy so far, 0..1 ("best_accuracy").</summary>
    public const string BestAccuracy = "best_accuracy";

    /// <summary>Learning rate of the first parameter group ("learning_rate").</summary>
    public const string LearningRate = "learning_rate";

    /// <summary>Training throughput in samples per second ("samples_per_second").</summary>
    public const string SamplesPerSecond = "samples_per_second";

    /// <summary>Optimizer steps per second ("steps_per_second").</summary>
    public const string StepsPerSecond = "steps_per_second";

    /// <summary>Mean wall time of one step in seconds, data loading included ("batch_time").</summary>
    public const string BatchTime = "batch_time";

    /// <summary>Global L2 norm of all gradients ("gradient_norm").</summary>
    public const string GradientNorm = "gradient_norm";

    /// <summary>Global L2 norm of all weights ("weight_norm").</summary>
    public const string WeightNorm = "weight_norm";

    /// <summary>Estimated seconds until the planned work is done ("eta_seconds").</summary>
    public const string EtaSeconds = "eta_seconds";

    /// <summary>GPU memory in use, in GiB ("gpu_memory_used").</summary>
    public const string GpuMemoryUsed = "gpu_memory_used";

    /// <summary>GPU memory in total, in GiB ("gpu_memory_total").</summary>
    public const string GpuMemoryTotal = "gpu_memory_total";

    /// <summary>GPU utilisation, 0..1: the fraction of the last sample period in which a kernel ran ("gpu_utilization").</summary>
    public const string GpuUtilization = "gpu_utilization";

    /// <summary>Memory of the training process (its working set), in GiB ("process_memory").</summary>
    public const string ProcessMemory = "process_memory";

    /// <summary>Memory of the training process's managed (GC) heap, in GiB ("managed_memory").</summary>
    public const string ManagedMemory = "managed_memory";
}
