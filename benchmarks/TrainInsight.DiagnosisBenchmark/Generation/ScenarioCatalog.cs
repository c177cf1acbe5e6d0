using TrainInsight.DiagnosisBenchmark.Models;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>
/// The benchmark's scenarios. Every run uses 12,000 training images (1,000 for overfitting) and 2,000 validation images
/// of real Fashion-MNIST, batch 64 unless stated, and one fault at a time. Epochs were chosen so that generating both model
/// families with 3 seeds fits in about 40 minutes on 2 cores (docs/diagnosis-benchmark.md has the measured times).
/// </summary>
internal static class ScenarioCatalog
{
    public static IReadOnlyList<ScenarioSpec> All { get; } =
    [
        new()
        {
            Name = "healthy_adam", Label = FindingLabels.Healthy,
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, MlpEpochs = 8, CnnEpochs = 6,
        },
        new()
        {
            Name = "healthy_sgd", Label = FindingLabels.Healthy,
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, MlpEpochs = 8, CnnEpochs = 6,
        },
        new()
        {
            Name = "divergence_high_lr", Label = FindingLabels.Divergence,
            Fault = "learning rate far too high from the start: MLP Adam 0.1, CNN SGD 3.0",

            // Measured (seed 1): neither network ever reaches NaN. MLP + SGD 1.0 only spikes to 4.8 (2x the initial loss)
            // and keeps learning for two epochs, so the MLP uses the fallback Adam 0.1 (loss 13.5 at step 10, then a dead
            // network at ln 10). CNN + SGD 1.0 dies within 10 steps without a visible blow-up, CNN + Adam 0.1 trains to 76 %;
            // CNN + SGD 3.0 blows the loss up to ~1e26 before the network dies.
            Optimizer = OptimizerKind.Adam, LearningRate = 0.1, CnnOptimizer = OptimizerKind.Sgd, CnnLearningRate = 3.0,
            Notes = "MLP: Adam 0.1 (SGD 1.0 did not diverge); CNN: SGD 3.0 (SGD 1.0 died without a blow-up, Adam 0.1 did not diverge)",
            MlpEpochs = 4, CnnEpochs = 3,
        },
        new()
        {
            Name = "divergence_spike", Label = FindingLabels.Divergence,
            Fault = "healthy Adam 1e-3, then set_learning_rate ×100 (0.1) through the control channel at the middle of the run",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, SpikeFactor = 100, MlpEpochs = 8, CnnEpochs = 6,
        },
        new()
        {
            Name = "lr_too_low", Label = FindingLabels.LearningRateTooLow, Fault = "SGD with learning rate 1e-5",
            Optimizer = OptimizerKind.Sgd, LearningRate = 1e-5, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "overfitting", Label = FindingLabels.Overfitting,
            Fault = "1,000 training images, a wide network (MLP 784-1024-1024-10 / CNN 32-64 channels + 256 hidden), no regularisation, many epochs",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, TrainSize = 1_000, Architecture = Architecture.Wide,
            MlpEpochs = 40, CnnEpochs = 30,
        },
        new()
        {
            Name = "vanishing_gradients", Label = FindingLabels.VanishingGradients, Fault = "10-layer sigmoid network, SGD 0.05",
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, Architecture = Architecture.DeepSigmoid, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "exploding_gradients", Label = FindingLabels.ExplodingGradients, Fault = "8-layer ReLU network with N(0,1) weights, Adam 1e-3",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Architecture = Architecture.DeepReluNormalInit, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "dying_relu", Label = FindingLabels.DyingRelu, Fault = "every hidden bias initialised to -5, Adam 1e-3",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Architecture = Architecture.NegativeBias, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "saturated_activations", Label = FindingLabels.SaturatedActivations, Fault = "sigmoid activations with N(0,5²) weights, Adam 1e-3",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, Architecture = Architecture.SigmoidLargeInit, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "learning_rate_too_high", Label = FindingLabels.LearningRateTooHigh,
            Fault = "SGD momentum 0.9 at batch 16, just below the learning rate that kills the network (MLP 0.05, CNN 0.07)",
            // Measured on the MLP (seed 1, 3 epochs): 0.1 kills the network (loss back to ln 10), 0.05 oscillates (val accuracy
            // 0.74, 0.71, 0.69) without NaN, 0.03 and 0.02 train normally (0.78, 0.80). On the CNN 0.05 trains normally (0.81
            // after 2 epochs), 0.1 and 0.2 kill it, 0.07 oscillates (0.72, 0.72, 0.69) without NaN.
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.05, CnnLearningRate = 0.07, Momentum = 0.9, BatchSize = 16, MlpEpochs = 4, CnnEpochs = 3,
        },
        new()
        {
            Name = "plateau", Label = FindingLabels.Plateau, Fault = "constant SGD 0.1 for many epochs, no schedule",
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.1, MlpEpochs = 20, CnnEpochs = 10,
        },
        new()
        {
            Name = "label_noise", Label = FindingLabels.LabelNoise, Fault = "50 % of the training labels shuffled among themselves; validation clean",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, LabelNoise = 0.5, MlpEpochs = 8, CnnEpochs = 5,
        },
        new()
        {
            Name = "unnormalized_input", Label = FindingLabels.UnnormalizedInput, Fault = "raw 0-255 pixels instead of 0..1",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, RawPixels = true, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "unshuffled_data", Label = FindingLabels.UnshuffledData, Fault = "training data sorted by class and never shuffled",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, SortedUnshuffled = true, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "missing_zero_grad", Label = FindingLabels.MissingZeroGrad, Fault = "optimizer.zero_grad() never called: gradients accumulate",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, SkipZeroGrad = true, MlpEpochs = 6, CnnEpochs = 4,
        },
        new()
        {
            Name = "data_loader_bottleneck", Label = FindingLabels.DataLoaderBottleneck, Fault = "a 30 ms sleep per batch in the data loader",
            Optimizer = OptimizerKind.Adam, LearningRate = 1e-3, LoaderDelayMs = 30, MaxStepsPerEpoch = 60, MlpEpochs = 3, CnnEpochs = 3,
        },
    ];

    public static ScenarioSpec Get(string name) =>
        All.FirstOrDefault(s => s.Name == name) ?? throw new ArgumentException($"Unknown scenario '{name}'. Known: {string.Join(", ", All.Select(s => s.Name))}.");
}
