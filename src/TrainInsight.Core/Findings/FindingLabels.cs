namespace TrainInsight;

/// <summary>The labels of the findings TrainInsight's diagnosis reports in <see cref="FindingEvent.Label"/>. Other labels are allowed too.</summary>
public static class FindingLabels
{
    /// <summary>The loss became NaN or infinite, or blew up far above its best ("divergence").</summary>
    public const string Divergence = "divergence";

    /// <summary>The loss oscillates without trend and updates are far larger than healthy: the learning rate is too high ("learning_rate_too_high").</summary>
    public const string LearningRateTooHigh = "learning_rate_too_high";

    /// <summary>The loss barely moves and updates are tiny: the learning rate is too low ("learning_rate_too_low").</summary>
    public const string LearningRateTooLow = "learning_rate_too_low";

    /// <summary>Validation loss rises while training loss falls, and the gap keeps growing ("overfitting").</summary>
    public const string Overfitting = "overfitting";

    /// <summary>Gradients reaching the first layers are orders of magnitude smaller than at the last ("vanishing_gradients").</summary>
    public const string VanishingGradients = "vanishing_gradients";

    /// <summary>The gradient norm is huge or growing by orders of magnitude ("exploding_gradients").</summary>
    public const string ExplodingGradients = "exploding_gradients";

    /// <summary>Most ReLU units output zero for every sample ("dying_relu").</summary>
    public const string DyingRelu = "dying_relu";

    /// <summary>Most sigmoid or tanh outputs sit in their flat tails ("saturated_activations").</summary>
    public const string SaturatedActivations = "saturated_activations";

    /// <summary>The loss stopped improving at a constant learning rate that a decay would unlock ("plateau").</summary>
    public const string Plateau = "plateau";

    /// <summary>Training accuracy stays far below validation accuracy: many training labels are wrong ("label_noise").</summary>
    public const string LabelNoise = "label_noise";

    /// <summary>The input batches are far from zero mean and unit scale (raw 0–255 pixels, say) ("unnormalized_input").</summary>
    public const string UnnormalizedInput = "unnormalized_input";

    /// <summary>Batches hold mostly one class: the data is sorted by class and not shuffled ("unshuffled_data").</summary>
    public const string UnshuffledData = "unshuffled_data";

    /// <summary>The gradient norm grows step after step as if gradients accumulated: <c>zero_grad</c> is not called ("missing_zero_grad").</summary>
    public const string MissingZeroGrad = "missing_zero_grad";

    /// <summary>The training loop spends most of each step waiting for data ("data_loader_bottleneck").</summary>
    public const string DataLoaderBottleneck = "data_loader_bottleneck";

    /// <summary>
    /// Some labels cannot be judged because the trainer does not send the signals they need; the finding names them and the
    /// signals ("signals_missing", always <see cref="FindingSeverity.Info"/>).
    /// </summary>
    public const string SignalsMissing = "signals_missing";

    /// <summary>No problem found (used by analyses and reports, never raised as a finding) ("healthy").</summary>
    public const string Healthy = "healthy";
}
