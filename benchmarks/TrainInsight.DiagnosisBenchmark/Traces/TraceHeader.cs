namespace TrainInsight.DiagnosisBenchmark.Traces;

/// <summary>
/// The first line of a trace: what the run was (scenario, the true finding label, model, seed, where the fault starts),
/// how it was trained and what it achieved. Written as one JSON object with snake-case names; NaN and infinities are
/// written as the strings "NaN", "Infinity" and "-Infinity".
/// </summary>
public sealed class TraceHeader
{
    /// <summary>Gets or sets the scenario (for example <c>healthy_adam</c>, <c>vanishing_gradients</c>).</summary>
    public string Scenario { get; set; } = string.Empty;

    /// <summary>Gets or sets the true finding label (a <see cref="FindingLabels"/> constant; <c>healthy</c> for healthy runs).</summary>
    public string Label { get; set; } = FindingLabels.Healthy;

    /// <summary>Gets or sets the model family: <c>mlp</c> or <c>cnn</c>.</summary>
    public string Model { get; set; } = string.Empty;

    /// <summary>Gets or sets the seed (data subset, shuffling, initialisation).</summary>
    public int Seed { get; set; }

    /// <summary>Gets or sets the step at which the fault starts: 0 when present from the start, the applied step for a mid-run spike.</summary>
    public long OnsetStep { get; set; }

    /// <summary>Gets or sets the optimizer: <c>adam</c> or <c>sgd</c>.</summary>
    public string Optimizer { get; set; } = string.Empty;

    /// <summary>Gets or sets the initial learning rate.</summary>
    public double Lr { get; set; }

    /// <summary>Gets or sets the SGD momentum (0 for Adam or plain SGD).</summary>
    public double Momentum { get; set; }

    /// <summary>Gets or sets the batch size.</summary>
    public int BatchSize { get; set; }

    /// <summary>Gets or sets the planned epochs.</summary>
    public int Epochs { get; set; }

    /// <summary>Gets or sets the validation accuracy after the last epoch (NaN when none ran).</summary>
    public double FinalValAccuracy { get; set; } = double.NaN;

    /// <summary>Gets or sets the best epoch-end validation accuracy (NaN when none ran).</summary>
    public double BestValAccuracy { get; set; } = double.NaN;

    /// <summary>Gets or sets the validation loss after the last epoch (NaN when none ran).</summary>
    public double FinalValLoss { get; set; } = double.NaN;

    /// <summary>Gets or sets the training samples per second over the training steps (validation excluded).</summary>
    public double SamplesPerSecond { get; set; }

    /// <summary>Gets or sets the run's wall-clock seconds, validation included.</summary>
    public double WallSeconds { get; set; }

    /// <summary>Gets or sets the run's id (the trace file's name stem).</summary>
    public string RunId { get; set; } = string.Empty;

    /// <summary>Gets or sets the model's type name (<c>Mlp</c>, <c>SmallCnn</c>, <c>DeepSigmoidMlp</c> …).</summary>
    public string ModelName { get; set; } = string.Empty;

    /// <summary>Gets or sets the number of trainable parameters.</summary>
    public long ParameterCount { get; set; }

    /// <summary>Gets or sets the training images used.</summary>
    public int TrainSize { get; set; }

    /// <summary>Gets or sets the validation images used.</summary>
    public int ValSize { get; set; }

    /// <summary>Gets or sets the optimizer steps per epoch.</summary>
    public int StepsPerEpoch { get; set; }

    /// <summary>Gets or sets the optimizer steps the run took.</summary>
    public long TotalSteps { get; set; }

    /// <summary>Gets or sets the session's <c>MetricsInterval</c>.</summary>
    public int MetricsInterval { get; set; }

    /// <summary>Gets or sets the session's <c>StatisticsInterval</c>.</summary>
    public int StatisticsInterval { get; set; }

    /// <summary>Gets or sets how the run ended (<c>completed</c>, <c>stopped</c>, <c>failed</c>).</summary>
    public string FinalState { get; set; } = string.Empty;

    /// <summary>Gets or sets when the run started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Gets or sets the fault injected, in words (empty for healthy runs).</summary>
    public string Fault { get; set; } = string.Empty;

    /// <summary>Gets or sets free-form notes (which fallback was used, the fix applied in a fix run, …).</summary>
    public string? Notes { get; set; }

    /// <summary>Gets or sets the hyperparameters the run's descriptor carried (numbers, texts or booleans).</summary>
    public Dictionary<string, object> Hyperparameters { get; set; } = new(StringComparer.Ordinal);
}
