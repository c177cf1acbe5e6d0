namespace TrainInsight.Torch;

/// <summary>The result of a validation pass, as returned by a <see cref="TrainingSession.Evaluator"/>.</summary>
/// <param name="Loss">The validation loss, or <see langword="null"/> when not measured.</param>
/// <param name="Accuracy">The validation accuracy (0..1), or <see langword="null"/> when not measured.</param>
public readonly record struct ValidationResult(double? Loss, double? Accuracy);
