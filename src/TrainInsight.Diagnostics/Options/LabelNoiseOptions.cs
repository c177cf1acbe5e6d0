using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.LabelNoise"/> detector, judged at each validation.</summary>
public sealed class LabelNoiseOptions
{
    private double _minAccuracyGap = 0.15;
    private int _patience = 2;

    /// <summary>
    /// Gets or sets how far (absolute) <c>val_accuracy</c> must exceed the epoch's mean <c>train_accuracy</c>: a model that
    /// does better on clean held-out data than on its own training batches is being taught wrong labels. Between 0.01 and 1.
    /// The default is 0.15: in healthy runs of our tuning set the gap was at most 0.05.
    /// </summary>
    public double MinAccuracyGap
    {
        get => _minAccuracyGap;
        set => _minAccuracyGap = OptionsGuard.InRange(value, 0.01, 1);
    }

    /// <summary>Gets or sets in how many validations in a row the gap must hold. Between 1 and 1,000. The default is 2.</summary>
    public int Patience
    {
        get => _patience;
        set => _patience = OptionsGuard.InRange(value, 1, 1_000);
    }
}
