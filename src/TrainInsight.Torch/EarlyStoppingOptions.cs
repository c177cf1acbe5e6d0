using TrainInsight.Internal;

namespace TrainInsight.Torch;

/// <summary>When a <see cref="TrainingSession"/> stops a run that has stopped improving (see <see cref="TorchMonitorOptions.EarlyStopping"/>).</summary>
public sealed class EarlyStoppingOptions
{
    /// <summary>The largest patience: 10,000 validations.</summary>
    public const int MaxPatience = 10_000;

    private EarlyStoppingMetric _metric = EarlyStoppingMetric.ValidationLoss;
    private int _patience = 5;
    private double _minDelta;

    /// <summary>Gets or sets the watched metric. The default is <see cref="EarlyStoppingMetric.ValidationLoss"/>.</summary>
    public EarlyStoppingMetric Metric
    {
        get => _metric;
        set => _metric = OptionsGuard.Defined(value);
    }

    /// <summary>
    /// Gets or sets how many epoch-end validations in a row may fail to improve on the best value before the run stops.
    /// Between 1 and <see cref="MaxPatience"/>. The default is 5.
    /// </summary>
    public int Patience
    {
        get => _patience;
        set => _patience = OptionsGuard.InRange(value, 1, MaxPatience);
    }

    /// <summary>
    /// Gets or sets by how much a validation must beat the best value so far to count as an improvement (lower for loss,
    /// higher for accuracy). Finite and at least 0. The default is 0.
    /// </summary>
    public double MinDelta
    {
        get => _minDelta;
        set => _minDelta = OptionsGuard.AtLeast(value, 0);
    }
}
