namespace TrainInsight.Diagnostics;

/// <summary>
/// Which metric names count as the signals the detectors read, so that runs from any trainer are diagnosed: TrainInsight's
/// own names (<see cref="MetricNames"/>) plus, by default, the names Keras, PyTorch Lightning, the PyTorch tutorials and
/// tensorboardX users write. Names compare case-insensitively.
/// </summary>
/// <remarks>
/// Keras writes training and validation into sibling <c>train</c> and <c>validation</c> log folders with the same tags
/// (<c>epoch_loss</c>); a run whose id ends in one of <see cref="ValidationRunSuffixes"/> is diagnosed together with its
/// sibling ending in one of <see cref="TrainRunSuffixes"/>, its loss and accuracy read as validation metrics, and its
/// findings reported on the training run.
/// </remarks>
public sealed class MetricAliases
{
    private readonly Dictionary<string, string> _aliases = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Initializes a new instance of the <see cref="MetricAliases"/> class with the default aliases.</summary>
    public MetricAliases()
    {
        Add(MetricNames.TrainLoss, "loss", "epoch_loss", "batch_loss", "training_loss", "Loss/train", "train/loss", "loss/train", "train_loss_step", "train_loss_epoch", "Train/Loss", "evaluation_loss_vs_iterations");
        Add(MetricNames.ValLoss, "validation_loss", "valid_loss", "eval_loss", "test_loss", "Loss/test", "Loss/val", "Loss/validation", "val/loss", "validation/loss", "loss/val", "loss/test", "val_loss_epoch", "epoch_val_loss");
        Add(MetricNames.TrainAccuracy, "accuracy", "acc", "train_acc", "epoch_accuracy", "epoch_acc", "sparse_categorical_accuracy", "epoch_sparse_categorical_accuracy", "Accuracy/train", "train/acc", "train/accuracy", "train_acc_step", "train_acc_epoch", "batch_acc", "batch_accuracy");
        Add(MetricNames.ValAccuracy, "val_acc", "valid_acc", "eval_accuracy", "test_acc", "test_accuracy", "validation_accuracy", "Accuracy/test", "Accuracy/val", "Accuracy/validation", "val/acc", "val/accuracy", "val_acc_epoch", "epoch_val_acc", "epoch_val_accuracy");
        Add(MetricNames.LearningRate, "lr", "epoch_learning_rate", "epoch_lr", "learning-rate", "lr-Adam", "lr-SGD", "lr-AdamW", "train/lr", "LearningRate");
        Add(MetricNames.GradientNorm, "grad_norm", "gradient_norm_total", "grad_2.0_norm_total", "grad_norm/total", "train/grad_norm");
    }

    /// <summary>
    /// Gets the last segments (after <c>/</c> or <c>.</c>) of run ids that hold validation metrics of a sibling run.
    /// The default is <c>validation</c>, <c>val</c>, <c>eval</c> and <c>test</c>.
    /// </summary>
    public ISet<string> ValidationRunSuffixes { get; } = new HashSet<string>(["validation", "val", "eval", "test"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets the last segments of run ids that are the training side of such a pair. The default is <c>train</c> and <c>training</c>.</summary>
    public ISet<string> TrainRunSuffixes { get; } = new HashSet<string>(["train", "training"], StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets every alias with the signal it stands for.</summary>
    public IReadOnlyDictionary<string, string> Aliases => _aliases;

    /// <summary>Makes <paramref name="aliases"/> stand for the signal <paramref name="metric"/> (replacing what they stood for).</summary>
    /// <param name="metric">One of the <see cref="MetricNames"/> the detectors read.</param>
    /// <param name="aliases">The trainer's names for it.</param>
    /// <returns>These aliases.</returns>
    /// <exception cref="ArgumentException">A name is empty, or an alias is itself a TrainInsight metric name.</exception>
    public MetricAliases Add(string metric, params string[] aliases)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        ArgumentNullException.ThrowIfNull(aliases);
        foreach (var alias in aliases)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(alias, nameof(aliases));
            if (string.Equals(alias, metric, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            _aliases[alias] = metric;
        }

        return this;
    }

    /// <summary>Removes an alias.</summary>
    /// <param name="alias">The trainer's name.</param>
    /// <returns><see langword="true"/> when it was an alias.</returns>
    public bool Remove(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        return _aliases.Remove(alias);
    }

    /// <summary>Removes every alias, so only TrainInsight's own names are read.</summary>
    public void Clear() => _aliases.Clear();

    /// <summary>Gets the signal a name stands for: itself when it is not an alias.</summary>
    /// <param name="name">A metric name.</param>
    /// <returns>The signal's name.</returns>
    public string Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _aliases.TryGetValue(name, out var metric) ? metric : name;
    }
}
