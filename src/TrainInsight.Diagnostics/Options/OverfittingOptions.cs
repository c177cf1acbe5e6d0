using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Thresholds of the <see cref="FindingLabels.Overfitting"/> detector, judged at each validation.</summary>
public sealed class OverfittingOptions
{
    private int _patience = 2;
    private double _minRise = 0.1;
    private double _minTrainImprovement = 0.1;

    /// <summary>
    /// Gets or sets how many validations in a row <c>val_loss</c> must stay above its best. Between 1 and 1,000. The default
    /// is 2 (one rise can be noise; Goodfellow et al.'s early stopping waits for a patience of several evaluations).
    /// </summary>
    public int Patience
    {
        get => _patience;
        set => _patience = OptionsGuard.InRange(value, 1, 1_000);
    }

    /// <summary>Gets or sets how far above its best (relative) <c>val_loss</c> must be. Between 0 and 10. The default is 0.1.</summary>
    public double MinRise
    {
        get => _minRise;
        set => _minRise = OptionsGuard.InRange(value, 0, 10);
    }

    /// <summary>
    /// Gets or sets how much (relative) the training loss must have fallen since the best validation: validation getting
    /// worse while training improves is what tells overfitting from divergence or a noisy plateau. Between 0 and 1. The default
    /// is 0.1: on our tuning set, plateaued runs at a constant rate of 0.1 improved their training loss by 5–8 % over the
    /// validations where their validation loss bounced, overfitting ones by 30 % and more.
    /// </summary>
    public double MinTrainImprovement
    {
        get => _minTrainImprovement;
        set => _minTrainImprovement = OptionsGuard.InRange(value, 0, 1);
    }
}
