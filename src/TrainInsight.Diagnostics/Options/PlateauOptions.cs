using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.Plateau"/> detector.</summary>
public sealed class PlateauOptions
{
    private int _patience = 4;
    private int _window = 100;
    private double _minImprovement = 0.01;
    private double _decayFactor = 0.1;

    /// <summary>
    /// Gets or sets for how many validations in a row, at a constant learning rate, the best <c>val_loss</c> may fail to
    /// improve by <see cref="MinImprovement"/> before the run counts as on a plateau. Between 1 and 1,000. The default is 4:
    /// healthy runs on our tuning set went up to 3 validations without a new best while still improving.
    /// </summary>
    public int Patience
    {
        get => _patience;
        set => _patience = OptionsGuard.InRange(value, 1, 1_000);
    }

    /// <summary>
    /// Gets or sets, for runs that send no validation, over how many <c>train_loss</c> samples the smoothed loss must improve
    /// by <see cref="MinImprovement"/>. Between 4 and 100,000. The default is 100.
    /// </summary>
    public int Window
    {
        get => _window;
        set => _window = OptionsGuard.InRange(value, 4, 100_000);
    }

    /// <summary>Gets or sets the relative improvement that counts as progress. Between 0 and 1. The default is 0.01.</summary>
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
