namespace TrainInsight.Torch;

/// <summary>The validation metric early stopping watches.</summary>
public enum EarlyStoppingMetric
{
    /// <summary>Validation loss (<c>val_loss</c>); lower is better.</summary>
    ValidationLoss,

    /// <summary>Validation accuracy (<c>val_accuracy</c>); higher is better.</summary>
    ValidationAccuracy,
}
