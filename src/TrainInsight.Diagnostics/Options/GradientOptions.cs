using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>
/// Thresholds of the gradient detectors: <see cref="FindingLabels.VanishingGradients"/>, <see cref="FindingLabels.ExplodingGradients"/>
/// and <see cref="FindingLabels.MissingZeroGrad"/>.
/// </summary>
public sealed class GradientOptions
{
    private double _vanishingRatio = 1e-3;
    private double _vanishingNorm = 1e-6;
    private double _explodingNorm = 1e3;
    private double _accumulationGrowth = 64;
    private double _accumulationMonotony = 0.9;
    private int _window = 5;

    /// <summary>
    /// Gets or sets the ratio of the first layer's gradient norm to the last layer's below which gradients vanish on their
    /// way back. Between 1e-12 and 1. The default is 1e-3: every sigmoid shrinks a gradient by at most 4×, so ten of them
    /// give about 1e-6, while healthy ReLU networks on our tuning set stayed between 0.1 and 10.
    /// </summary>
    public double VanishingRatio
    {
        get => _vanishingRatio;
        set => _vanishingRatio = OptionsGuard.InRange(value, 1e-12, 1);
    }

    /// <summary>
    /// Gets or sets the global <c>gradient_norm</c> below which gradients count as vanished when no per-layer norms are sent.
    /// Between 0 and 1. The default is 1e-6 (the product design's heuristic).
    /// </summary>
    public double VanishingNorm
    {
        get => _vanishingNorm;
        set => _vanishingNorm = OptionsGuard.InRange(value, 0, 1);
    }

    /// <summary>
    /// Gets or sets the median <c>gradient_norm</c> above which gradients explode. Between 1 and 1e30. The default is 1,000:
    /// the gradient norms of healthy runs on our tuning set stayed under 7.
    /// </summary>
    public double ExplodingNorm
    {
        get => _explodingNorm;
        set => _explodingNorm = OptionsGuard.InRange(value, 1, 1e30);
    }

    /// <summary>
    /// Gets or sets how many times its median over the first <see cref="Window"/> samples the gradient norm must have grown,
    /// rising almost every sample, to count as accumulating (no <c>zero_grad</c>). Between 1.1 and 1e6. The default is 64,
    /// the geometric middle of the gap on our MLP tuning set between healthy runs (up to 14× from their first step) and
    /// summed gradients (300× within 6 samples). A first default of 20 raised false alarms on healthy held-out CNN runs,
    /// whose gradients grow 24× in their first 50 steps.
    /// </summary>
    public double AccumulationGrowth
    {
        get => _accumulationGrowth;
        set => _accumulationGrowth = OptionsGuard.InRange(value, 1.1, 1e6);
    }

    /// <summary>
    /// Gets or sets the share of the last <see cref="Window"/> sample-to-sample changes of the gradient norm that must be
    /// rises for it to count as accumulating. Between 0.5 and 1. The default is 0.9: a summed gradient grows every step,
    /// a healthy one goes up and down.
    /// </summary>
    public double AccumulationMonotony
    {
        get => _accumulationMonotony;
        set => _accumulationMonotony = OptionsGuard.InRange(value, 0.5, 1);
    }

    /// <summary>
    /// Gets or sets over how many sample-to-sample changes the gradient norm's rises are counted for
    /// <see cref="AccumulationMonotony"/>. Between 3 and 1,000. The default is 5.
    /// </summary>
    public int Window
    {
        get => _window;
        set => _window = OptionsGuard.InRange(value, 3, 1_000);
    }
}
