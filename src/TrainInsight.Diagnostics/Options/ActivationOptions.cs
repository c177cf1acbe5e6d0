using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.DyingRelu"/> and <see cref="FindingLabels.SaturatedActivations"/> detectors.</summary>
public sealed class ActivationOptions
{
    private double _deadRelu = 0.7;
    private double _saturation = 0.5;
    private int _window = 5;

    /// <summary>
    /// Gets or sets the median share of ReLU units dead for a whole batch (<c>dead_relu</c>) above which ReLUs are dying.
    /// Between 0.01 and 1. The default is 0.7: healthy runs on our tuning set stayed under 0.25, runs with a learning rate
    /// near divergence crept up to 0.5 (that is the learning rate's finding), hidden biases of −5 gave 1.0 from the first step.
    /// </summary>
    public double DeadRelu
    {
        get => _deadRelu;
        set => _deadRelu = OptionsGuard.InRange(value, 0.01, 1);
    }

    /// <summary>
    /// Gets or sets the median share of sigmoid/tanh outputs in their flat tails (<c>saturation</c>) above which the
    /// activations are saturated. Between 0.01 and 1. The default is 0.5.
    /// </summary>
    public double Saturation
    {
        get => _saturation;
        set => _saturation = OptionsGuard.InRange(value, 0.01, 1);
    }

    /// <summary>Gets or sets how many samples the medians take. Between 1 and 1,000. The default is 5.</summary>
    public int Window
    {
        get => _window;
        set => _window = OptionsGuard.InRange(value, 1, 1_000);
    }
}
