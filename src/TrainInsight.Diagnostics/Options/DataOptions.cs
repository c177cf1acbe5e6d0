using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>
/// Thresholds of the data-pipeline detectors: <see cref="FindingLabels.UnnormalizedInput"/>, <see cref="FindingLabels.UnshuffledData"/>
/// and <see cref="FindingLabels.DataLoaderBottleneck"/>.
/// </summary>
public sealed class DataOptions
{
    private double _maxInputMean = 5;
    private double _maxInputStd = 10;
    private double _maxClassShare = 0.8;
    private double _maxDataWait = 0.5;
    private int _window = 3;

    /// <summary>
    /// Gets or sets the absolute <c>input_mean</c> above which inputs are not normalised. Between 0.1 and 1e6. The default
    /// is 5: standardised inputs sit near 0, [0, 1] pixels near 0.3, raw 0–255 pixels near 70–130.
    /// </summary>
    public double MaxInputMean
    {
        get => _maxInputMean;
        set => _maxInputMean = OptionsGuard.InRange(value, 0.1, 1e6);
    }

    /// <summary>Gets or sets the <c>input_std</c> above which inputs are not normalised. Between 0.1 and 1e6. The default is 10.</summary>
    public double MaxInputStd
    {
        get => _maxInputStd;
        set => _maxInputStd = OptionsGuard.InRange(value, 0.1, 1e6);
    }

    /// <summary>
    /// Gets or sets the median <c>batch_class_share</c> above which batches hold mostly one class. Between 0.2 and 1.
    /// The default is 0.8: shuffled batches of 64 over 10 classes never exceeded 0.24 on our tuning set (median 0.16).
    /// </summary>
    public double MaxClassShare
    {
        get => _maxClassShare;
        set => _maxClassShare = OptionsGuard.InRange(value, 0.2, 1);
    }

    /// <summary>
    /// Gets or sets the median share of a step spent waiting for data (<c>data_time</c> / <c>batch_time</c>) above which the
    /// loader is the bottleneck. Between 0.05 and 1. The default is 0.5: the loop waits longer than it computes.
    /// </summary>
    public double MaxDataWait
    {
        get => _maxDataWait;
        set => _maxDataWait = OptionsGuard.InRange(value, 0.05, 1);
    }

    /// <summary>
    /// Gets or sets how many samples the medians take (the loader bottleneck waits for a full window, because the first steps
    /// include warm-up). Between 1 and 1,000. The default is 3.
    /// </summary>
    public int Window
    {
        get => _window;
        set => _window = OptionsGuard.InRange(value, 1, 1_000);
    }
}
