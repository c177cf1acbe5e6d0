using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.Plateau"/> detector.</summary>
public sealed class PlateauOptions
{
    private int _window = 40;
    private double _minImprovement = 0.01;
    private double _decayFactor = 0.1;

    /// <summary>
    /// Gets or sets over how many <c>train_loss</c> samples the improvement is measured (the smoothed loss now against
    /// the smoothed loss that many samples ago). Between 4 and 100,000. The default is 40.
    /// </summary>
    public int Window
    {
        get => _window;
        set => _window = OptionsGuard.InRange(value, 4, 100_000);
    }

    /// <summary>Gets or sets the relative improvement over <see cref="Window"/> below which the loss is flat. Between 0 and 1. The default is 0.01.</summary>
    public double MinImprovement
    {
        get => _minImprovement;
        set => _minImprovement = OptionsGuard.InRange(value, 0, 1);
    }

    /// <summary>
    /// Gets or sets the factor the suggested fix multiplies the learning rate by. Between 1e-4 and 0.9. The default is 0.1
    /// (the step decay of the classic ResNet schedule).
    /// </summary>
    public double DecayFactor
    {
        get => _decayFactor;
        set => _decayFactor = OptionsGuard.InRange(value, 1e-4, 0.9);
    }
}
