using TrainInsight.Internal;

namespace TrainInsight.Torch.Training;

/// <summary>Settings of <see cref="VisionTrainer"/>.</summary>
public sealed class VisionTrainerOptions
{
    private int _epochs = 5;
    private int _batchSize = 128;
    private double _learningRate = 1e-3;
    private int? _maxStepsPerEpoch;
    private int _evaluationBatchSize = 1_000;
    private string _runName = "vision";
    private TrainerOptimizer _optimizer = TrainerOptimizer.Adam;
    private double _weightDecay;
    private double _momentum = 0.9;
    private LearningRateSchedule _schedule = LearningRateSchedule.Constant;
    private int _stepSizeEpochs = 1;
    private double _stepGamma = 0.1;
    private int _warmupSteps;

    /// <summary>Gets or sets the number of epochs. Between 1 and 100,000. The default is 5.</summary>
    public int Epochs
    {
        get => _epochs;
        set => _epochs = OptionsGuard.InRange(value, 1, 100_000);
    }

    /// <summary>Gets or sets the training batch size. Between 1 and 65,536. The default is 128.</summary>
    public int BatchSize
    {
        get => _batchSize;
        set => _batchSize = OptionsGuard.InRange(value, 1, 65_536);
    }

    /// <summary>Gets or sets the (base) learning rate: finite, greater than 0 and at most 10. The default is 0.001.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set => _learningRate = OptionsGuard.AboveAndAtMost(value, 0, 10);
    }

    /// <summary>
    /// Gets or sets the seed of shuffling and of TorchSharp's global random generator, which <see cref="VisionTrainer.Train"/>
    /// seeds when it starts (dropout and other random layers then repeat). Weights are initialised when the model is created,
    /// before <see cref="VisionTrainer.Train"/> runs: for reproducible weights call <c>torch.random.manual_seed</c> before
    /// creating the model. The default is 42.
    /// </summary>
    public int Seed { get; set; } = 42;

    /// <summary>Gets or sets a cap on steps per epoch (for quick runs), or <see langword="null"/> for full epochs. The default is <see langword="null"/>.</summary>
    public int? MaxStepsPerEpoch
    {
        get => _maxStepsPerEpoch;
        set => _maxStepsPerEpoch = OptionsGuard.InRangeOrNull(value, 1, int.MaxValue);
    }

    /// <summary>Gets or sets the batch size used for validation. Between 1 and 65,536. The default is 1,000.</summary>
    public int EvaluationBatchSize
    {
        get => _evaluationBatchSize;
        set => _evaluationBatchSize = OptionsGuard.InRange(value, 1, 65_536);
    }

    /// <summary>Gets or sets the run's name (its id is derived from it). The default is "vision".</summary>
    public string RunName
    {
        get => _runName;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _runName = value;
        }
    }

    /// <summary>Gets or sets the optimizer. The default is <see cref="TrainerOptimizer.Adam"/>.</summary>
    public TrainerOptimizer Optimizer
    {
        get => _optimizer;
        set => _optimizer = OptionsGuard.Defined(value);
    }

    /// <summary>
    /// Gets or sets the weight decay: L2 regularisation for <see cref="TrainerOptimizer.Adam"/> and
    /// <see cref="TrainerOptimizer.SgdMomentum"/>, decoupled decay for <see cref="TrainerOptimizer.AdamW"/>. Finite, between 0
    /// and 1. The default is 0.
    /// </summary>
    public double WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = OptionsGuard.InRange(value, 0, 1);
    }

    /// <summary>Gets or sets the momentum of <see cref="TrainerOptimizer.SgdMomentum"/>: at least 0 and less than 1. The default is 0.9.</summary>
    public double Momentum
    {
        get => _momentum;
        set => _momentum = OptionsGuard.AtLeastAndBelow(value, 0, 1);
    }

    /// <summary>Gets or sets the learning-rate schedule after warm-up (see <see cref="LearningRateScheduler"/>). The default is <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule
    {
        get => _schedule;
        set => _schedule = OptionsGuard.Defined(value);
    }

    /// <summary>Gets or sets the epochs between decays of <see cref="LearningRateSchedule.Step"/>. Between 1 and 100,000. The default is 1.</summary>
    public int StepSizeEpochs
    {
        get => _stepSizeEpochs;
        set => _stepSizeEpochs = OptionsGuard.InRange(value, 1, 100_000);
    }

    /// <summary>Gets or sets the decay factor of <see cref="LearningRateSchedule.Step"/>: greater than 0 and at most 1. The default is 0.1.</summary>
    public double StepGamma
    {
        get => _stepGamma;
        set => _stepGamma = OptionsGuard.AboveAndAtMost(value, 0, 1);
    }

    /// <summary>
    /// Gets or sets the steps of linear learning-rate warm-up from near 0 to <see cref="LearningRate"/>, before
    /// <see cref="Schedule"/> starts. Between 0 and 10,000,000. The default is 0.
    /// </summary>
    public int WarmupSteps
    {
        get => _warmupSteps;
        set => _warmupSteps = OptionsGuard.InRange(value, 0, 10_000_000);
    }

    /// <summary>
    /// Gets or sets whether training batches are augmented with <see cref="Vision.FlipCropAugmentation"/> (random horizontal
    /// flips, and random crops after 4-pixel padding for images of at least 16 pixels), seeded with <see cref="Seed"/>.
    /// Validation is never augmented. The default is <see langword="false"/>.
    /// </summary>
    public bool Augment { get; set; }
}
