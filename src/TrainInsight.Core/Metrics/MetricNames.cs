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

    /// <summary>
    /// Mean seconds per step the training loop spent getting its batch: from the end of one step to the start of the next
    /// ("data_time"). <see cref="DataTime"/> plus <see cref="ComputeTime"/> is <see cref="BatchTime"/>.
    /// </summary>
    public const string DataTime = "data_time";

    /// <summary>Mean seconds per step spent computing it: forward, backward, optimizer step and the step's telemetry ("compute_time").</summary>
    public const string ComputeTime = "compute_time";

    /// <summary>Global L2 norm of all gradients ("gradient_norm"); per layer <c>gradient_norm/&lt;layer&gt;</c> (see <see cref="ForLayer"/>).</summary>
    public const string GradientNorm = "gradient_norm";

    /// <summary>Global L2 norm of all weights ("weight_norm"); per layer <c>weight_norm/&lt;layer&gt;</c>.</summary>
    public const string WeightNorm = "weight_norm";

    /// <summary>
    /// Size of the last optimizer update relative to the weights, ‖Δw‖ / ‖w‖, over all weights ("update_ratio"); per layer
    /// <c>update_ratio/&lt;layer&gt;</c>. Around 1e-3 is typical; far above means too high a learning rate, far below a
    /// layer that has stopped learning.
    /// </summary>
    public const string UpdateRatio = "update_ratio";

    /// <summary>
    /// Share (0..1) of ReLU units (channels of a feature map, features of a dense layer) that output zero for every
    /// sample of the batch, averaged over the ReLU layers ("dead_relu"); per layer <c>dead_relu/&lt;layer&gt;</c>.
    /// </summary>
    public const string DeadRelu = "dead_relu";

    /// <summary>
    /// Share (0..1) of sigmoid or tanh outputs in their flat tails (sigmoid below 0.01 or above 0.99, |tanh| above 0.99),
    /// averaged over those layers ("saturation"); per layer <c>saturation/&lt;layer&gt;</c>.
    /// </summary>
    public const string Saturation = "saturation";

    /// <summary>
    /// Mean of the sampled input batch ("input_mean"); with <see cref="InputStd"/> it tells normalised inputs (around 0 and 1)
    /// from raw ones (0–255 pixels have a mean near 70–130).
    /// </summary>
    public const string InputMean = "input_mean";

    /// <summary>Standard deviation of the sampled input batch ("input_std").</summary>
    public const string InputStd = "input_std";

    /// <summary>
    /// Share (0..1) of the sampled batch's targets that belong to its most common class ("batch_class_share"): near
    /// 1 / classes for shuffled data, 1 for data sorted by class and not shuffled.
    /// </summary>
    public const string BatchClassShare = "batch_class_share";

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

    /// <summary>The name of a per-layer metric: <c>&lt;metric&gt;/&lt;layer&gt;</c>, for example <c>gradient_norm/conv1</c>.</summary>
    /// <param name="metric">The metric, for example <see cref="GradientNorm"/>.</param>
    /// <param name="layer">The layer's module path, for example <c>block1.conv2</c>.</param>
    /// <returns>The metric's name for that layer.</returns>
    public static string ForLayer(string metric, string layer)
    {
        ArgumentException.ThrowIfNullOrEmpty(metric);
        ArgumentException.ThrowIfNullOrEmpty(layer);
        return string.Concat(metric, "/", layer);
    }
}
