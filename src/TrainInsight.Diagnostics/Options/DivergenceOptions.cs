using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.Divergence"/> detector.</summary>
public sealed class DivergenceOptions
{
    private double _lossFactor = 3;
    private double _smoothing = 0.3;
    private double _maxUpdateRatio = 1;

    /// <summary>
    /// Gets or sets how many times its lowest smoothed value the smoothed <c>train_loss</c> must reach to count as blown up
    /// (a NaN or infinite loss, gradient norm or validation loss always counts). Between 1.1 and 1,000. The default is 3:
    /// on our MLP tuning runs the smoothed loss of healthy runs stayed within 1.71× of its best after the first epoch, while a
    /// learning-rate ×100 spike put the loss at 8.7× the best at the first update after it.
    /// </summary>
    public double LossFactor
    {
        get => _lossFactor;
        set => _lossFactor = OptionsGuard.InRange(value, 1.1, 1_000);
    }

    /// <summary>
    /// Gets or sets the weight of the newest sample in the exponential moving average of <c>train_loss</c>; smaller is
    /// smoother and slower. Between 0.01 and 1. The default is 0.3 (about a 5-sample memory: mini-batch noise of 15–25 %
    /// drops to under 10 %).
    /// </summary>
    public double Smoothing
    {
        get => _smoothing;
        set => _smoothing = OptionsGuard.InRange(value, 0.01, 1);
    }

    /// <summary>
    /// Gets or sets the <c>update_ratio</c> (‖Δw‖ / ‖w‖ of one step) at or above which a single update counts as throwing
    /// the weights out. Between 0.01 and 1e6. The default is 1, an update as large as the weights: healthy updates are about
    /// 1e-3 (CS231n); Adam at 0.1 on our MLP tuning runs made 3.9 on its first step, Adam at 0.001 made 0.04.
    /// </summary>
    public double MaxUpdateRatio
    {
        get => _maxUpdateRatio;
        set => _maxUpdateRatio = OptionsGuard.InRange(value, 0.01, 1e6);
    }
}
