using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.LearningRateTooHigh"/> and <see cref="FindingLabels.LearningRateTooLow"/> detectors.</summary>
public sealed class LearningRateOptions
{
    private int _window = 20;
    private double _oscillation = 0.35;
    private double _highUpdateRatio = 0.1;
    private double _lowUpdateRatio = 1e-5;
    private double _minImprovement = 0.05;
    private double _decreaseFactor = 0.1;
    private double _increaseFactor = 10;

    /// <summary>
    /// Gets or sets how many <c>train_loss</c> samples the learning-rate detectors judge at once (half old, half new for
    /// the trend). Between 6 and 10,000. The default is 20.
    /// </summary>
    public int Window
    {
        get => _window;
        set => _window = OptionsGuard.InRange(value, 6, 10_000);
    }

    /// <summary>
    /// Gets or sets the coefficient of variation (standard deviation / mean) of <c>train_loss</c> over <see cref="Window"/>
    /// above which a loss without downward trend counts as oscillating. Between 0.01 and 100. The default is 0.35: on our tuning set,
    /// healthy batch-64 runs reached at most 0.22 in windows without a downward trend.
    /// </summary>
    public double Oscillation
    {
        get => _oscillation;
        set => _oscillation = OptionsGuard.InRange(value, 0.01, 100);
    }

    /// <summary>
    /// Gets or sets the median <c>update_ratio</c> (‖Δw‖ / ‖w‖ per step) above which updates are far too large. Between
    /// 1e-6 and 10. The default is 0.1: CS231n's rule of thumb puts healthy updates near 1e-3; Adam on small weights reaches
    /// 1e-2, so only two orders of magnitude above healthy counts.
    /// </summary>
    public double HighUpdateRatio
    {
        get => _highUpdateRatio;
        set => _highUpdateRatio = OptionsGuard.InRange(value, 1e-6, 10);
    }

    /// <summary>
    /// Gets or sets the median <c>update_ratio</c> below which updates are too small for the weights to move. Between 1e-12
    /// and 1. The default is 1e-5: two orders of magnitude under CS231n's healthy 1e-3.
    /// </summary>
    public double LowUpdateRatio
    {
        get => _lowUpdateRatio;
        set => _lowUpdateRatio = OptionsGuard.InRange(value, 1e-12, 1);
    }

    /// <summary>
    /// Gets or sets the least relative improvement of <c>train_loss</c> since the start of the run below which, without an
    /// <c>update_ratio</c>, the learning rate counts as too low (judged from 3 windows on). Between 0 and 1. The default is 0.05.
    /// </summary>
    public double MinImprovement
    {
        get => _minImprovement;
        set => _minImprovement = OptionsGuard.InRange(value, 0, 1);
    }

    /// <summary>
    /// Gets or sets the factor the suggested fix multiplies the learning rate by when it is too high or the loss diverges.
    /// Between 1e-4 and 0.9. The default is 0.1 (one order of magnitude, Goodfellow et al.'s advice to search the rate on a
    /// log scale).
    /// </summary>
    public double DecreaseFactor
    {
        get => _decreaseFactor;
        set => _decreaseFactor = OptionsGuard.InRange(value, 1e-4, 0.9);
    }

    /// <summary>
    /// Gets or sets the least factor the suggested fix multiplies a too-low learning rate by. When the run sends
    /// <c>update_ratio</c>, the fix takes the power of ten that brings the median ratio to about 1e-3 instead, if larger
    /// (at most 1,000×). Between 1.1 and 10,000. The default is 10.
    /// </summary>
    public double IncreaseFactor
    {
        get => _increaseFactor;
        set => _increaseFactor = OptionsGuard.InRange(value, 1.1, 10_000);
    }
}
