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

    /// <summary>Gets or sets Adam's learning rate: finite, greater than 0 and at most 10. The default is 0.001.</summary>
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

    private static int InRange(int value, int min, int max, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        if (value < min || value > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between {min:N0} and {max:N0}.");
        }

        return value;
    }
}
