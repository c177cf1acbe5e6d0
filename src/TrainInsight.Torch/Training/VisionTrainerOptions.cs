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
        set => _epochs = InRange(value, 1, 100_000);
    }

    /// <summary>Gets or sets the training batch size. Between 1 and 65,536. The default is 128.</summary>
    public int BatchSize
    {
        get => _batchSize;
        set => _batchSize = InRange(value, 1, 65_536);
    }

    /// <summary>Gets or sets the (base) learning rate: finite, greater than 0 and at most 10. The default is 0.001.</summary>
    public double LearningRate
    {
        get => _learningRate;
        set
        {
            if (!double.IsFinite(value) || value <= 0 || value > 10)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "LearningRate must be finite, greater than 0 and at most 10.");
            }

            _learningRate = value;
        }
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
        set => _maxStepsPerEpoch = value is { } v ? InRange(v, 1, int.MaxValue) : null;
    }

    /// <summary>Gets or sets the batch size used for validation. Between 1 and 65,536. The default is 1,000.</summary>
    public int EvaluationBatchSize
    {
        get => _evaluationBatchSize;
        set => _evaluationBatchSize = InRange(value, 1, 65_536);
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
        set => _optimizer = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Optimizer), value, "Unknown optimizer.");
    }

    /// <summary>
    /// Gets or sets the weight decay: L2 regularisation for <see cref="TrainerOptimizer.Adam"/> and
    /// <see cref="TrainerOptimizer.SgdMomentum"/>, decoupled decay for <see cref="TrainerOptimizer.AdamW"/>. Finite, between 0
    /// and 1. The default is 0.
    /// </summary>
    public double WeightDecay
    {
        get => _weightDecay;
        set => _weightDecay = Fraction(value, inclusiveMax: true);
    }

    /// <summary>Gets or sets the momentum of <see cref="TrainerOptimizer.SgdMomentum"/>: at least 0 and less than 1. The default is 0.9.</summary>
    public double Momentum
    {
        get => _momentum;
        set => _momentum = Fraction(value, inclusiveMax: false);
    }

    /// <summary>Gets or sets the learning-rate schedule after warm-up (see <see cref="LearningRateScheduler"/>). The default is <see cref="LearningRateSchedule.Constant"/>.</summary>
    public LearningRateSchedule Schedule
    {
        get => _schedule;
        set => _schedule = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(Schedule), value, "Unknown schedule.");
    }

    /// <summary>Gets or sets the epochs between decays of <see cref="LearningRateSchedule.Step"/>. Between 1 and 100,000. The default is 1.</summary>
    public int StepSizeEpochs
    {
        get => _stepSizeEpochs;
        set => _stepSizeEpochs = InRange(value, 1, 100_000);
    }

    /// <summary>Gets or sets the decay factor of <see cref="LearningRateSchedule.Step"/>: greater than 0 and at most 1. The default is 0.1.</summary>
    public double StepGamma
    {
        get => _stepGamma;
        set => _stepGamma = value > 0 && value <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(StepGamma), value, "StepGamma must be greater than 0 and at most 1.");
    }

    /// <summary>
    /// Gets or sets the steps of linear learning-rate warm-up from near 0 to <see cref="LearningRate"/>, before
    /// <see cref="Schedule"/> starts. Between 0 and 10,000,000. The default is 0.
    /// </summary>
    public int WarmupSteps
    {
        get => _warmupSteps;
        set => _warmupSteps = InRange(value, 0, 10_000_000);
    }

    /// <summary>
    /// Gets or sets whether training batches are augmented with <see cref="Vision.FlipCropAugmentation"/> (random horizontal
    /// flips, and random crops after 4-pixel padding for images of at least 16 pixels), seeded with <see cref="Seed"/>.
    /// Validation is never augmented. The default is <see langword="false"/>.
    /// </summary>
    public bool Augment { get; set; }

    private static double Fraction(double value, bool inclusiveMax, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (!double.IsFinite(value) || value < 0 || value > 1 || (!inclusiveMax && value == 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least 0 and {(inclusiveMax ? "at most" : "less than")} 1.");
        }

        return value;
    }

    private static int InRange(int value, int min, int max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min:N0} and {max:N0}.");
        }

        return value;
    }
}
