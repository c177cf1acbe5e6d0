using TrainInsight.DiagnosisBenchmark.Models;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>
/// One benchmark scenario: a training recipe (optimizer, learning rate, batch size, epochs per model family, data size)
/// and the single fault it injects, with the finding label the diagnosis should report.
/// </summary>
internal sealed record ScenarioSpec
{
    public required string Name { get; init; }

    /// <summary>Gets the true finding label (<c>healthy</c> for healthy runs).</summary>
    public required string Label { get; init; }

    /// <summary>Gets the fault in words (empty for healthy runs).</summary>
    public string Fault { get; init; } = string.Empty;

    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    public double LearningRate { get; init; } = 1e-3;

    public double Momentum { get; init; }

    public double WeightDecay { get; init; }

    public int BatchSize { get; init; } = 64;

    public required int MlpEpochs { get; init; }

    public required int CnnEpochs { get; init; }

    public int TrainSize { get; init; } = 12_000;

    public int ValSize { get; init; } = 2_000;

    public Architecture Architecture { get; init; } = Architecture.Standard;

    /// <summary>Gets the share of training labels shuffled among themselves (0 = clean).</summary>
    public double LabelNoise { get; init; }

    /// <summary>Gets whether pixels stay 0..255 instead of 0..1.</summary>
    public bool RawPixels { get; init; }

    /// <summary>Gets whether the training data is sorted by class and never shuffled.</summary>
    public bool SortedUnshuffled { get; init; }

    /// <summary>Gets the sleep per batch in the data loader, in milliseconds.</summary>
    public int LoaderDelayMs { get; init; }

    /// <summary>Gets whether the loop never calls <c>zero_grad</c>.</summary>
    public bool SkipZeroGrad { get; init; }

    /// <summary>Gets the factor a <c>set_learning_rate</c> command multiplies the rate by at the middle of the run, or <see langword="null"/>.</summary>
    public double? SpikeFactor { get; init; }

    /// <summary>Gets the most steps per epoch, or <see langword="null"/> for whole passes.</summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>Gets the CNN's optimizer when it differs from the MLP's (a fault that needs another recipe there), or <see langword="null"/>.</summary>
    public OptimizerKind? CnnOptimizer { get; init; }

    /// <summary>Gets the CNN's learning rate when it differs from the MLP's, or <see langword="null"/>.</summary>
    public double? CnnLearningRate { get; init; }

    /// <summary>Gets free-form notes recorded in the trace header (a fallback used, for example).</summary>
    public string? Notes { get; init; }

    /// <summary>The recipe for one model family (the CNN's own optimizer and learning rate, where it has them).</summary>
    public ScenarioSpec ForFamily(string family) =>
        family == ModelFactory.Cnn && (CnnOptimizer is not null || CnnLearningRate is not null)
            ? this with { Optimizer = CnnOptimizer ?? Optimizer, LearningRate = CnnLearningRate ?? LearningRate, CnnOptimizer = null, CnnLearningRate = null }
            : this;

    public int Epochs(string family) => family == ModelFactory.Cnn ? CnnEpochs : MlpEpochs;

    public bool IsHealthy => Label == FindingLabels.Healthy;

    /// <summary>The same recipe with the injected fault removed: what a code fix "from the start" trains.</summary>
    public ScenarioSpec WithoutFault() => this with
    {
        Name = Name + "_codefix",
        Architecture = Architecture.Standard,
        LabelNoise = 0,
        RawPixels = false,
        SortedUnshuffled = false,
        LoaderDelayMs = 0,
        SkipZeroGrad = false,
        SpikeFactor = null,
        Fault = string.Empty,
    };

    public string OptimizerName => Optimizer == OptimizerKind.Adam ? "adam" : "sgd";
}
