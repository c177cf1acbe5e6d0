namespace TrainInsight.Llm;

/// <summary>The codes of the findings the built-in rules report in <see cref="Finding.Code"/>.</summary>
public static class FindingCodes
{
    /// <summary>A sampled <c>train_loss</c> is NaN or infinite ("loss_not_finite", <see cref="FindingSeverity.Critical"/>).</summary>
    public const string LossNotFinite = "loss_not_finite";

    /// <summary>
    /// The mean of the last 10 finite <c>train_loss</c> samples is more than 1.5 times the lowest mean of any 10 consecutive
    /// finite samples so far (moving averages, so single noisy mini-batches decide nothing); needs at least 20 finite
    /// samples and a positive lowest mean ("loss_diverging", <see cref="FindingSeverity.Warning"/>).
    /// </summary>
    public const string LossDiverging = "loss_diverging";

    /// <summary>
    /// <c>val_loss</c> rose in each of the last 2 epochs while the epoch's <c>train_loss</c> fell in each
    /// ("overfitting", <see cref="FindingSeverity.Warning"/>).
    /// </summary>
    public const string Overfitting = "overfitting";

    /// <summary>
    /// Over the last half of at least 20 finite <c>train_loss</c> samples, the loss improved by less than 1% (mean of the
    /// window's last quarter against its first quarter); not reported when the loss diverges ("plateau", <see cref="FindingSeverity.Info"/>).
    /// </summary>
    public const string Plateau = "plateau";

    /// <summary>No rule found a problem ("healthy", <see cref="FindingSeverity.Info"/>).</summary>
    public const string Healthy = "healthy";

    /// <summary>The run has no <c>train_loss</c> sample in the bus's history, so the rules cannot judge it ("no_data", <see cref="FindingSeverity.Info"/>).</summary>
    public const string NoData = "no_data";
}
