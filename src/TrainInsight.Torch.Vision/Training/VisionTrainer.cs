using System.Diagnostics;
using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Training;

/// <summary>
/// A reference image-classification training loop (cross-entropy; Adam, AdamW or SGD with momentum; optional learning-rate
/// schedule and flip/crop augmentation) instrumented with a <see cref="TrainingMonitor"/>:
/// it publishes metrics, validates after every epoch and obeys pause, resume, stop, set learning rate and set weight decay
/// at step boundaries.
/// </summary>
/// <remarks>
/// A <see cref="ControlAction.SetLearningRate"/> command that changes the rate ends the learning-rate schedule (and warm-up):
/// the run keeps the set rate from the next step on, so the schedule never silently overwrites it.
/// </remarks>
public sealed class VisionTrainer
{
    private readonly TrainingMonitor _monitor;
    private readonly VisionTrainerOptions _options;

    /// <summary>Initializes a new instance of the <see cref="VisionTrainer"/> class.</summary>
    /// <param name="monitor">The monitor the run is attached to.</param>
    /// <param name="options">The training settings. The default is <c>new VisionTrainerOptions()</c>.</param>
    public VisionTrainer(TrainingMonitor monitor, VisionTrainerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitor = monitor;
        _options = options ?? new VisionTrainerOptions();
    }

    /// <summary>Trains <paramref name="model"/> on the calling thread until done, stopped or cancelled.</summary>
    /// <param name="model">The model; its output must be logits [batch, classes].</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">The validation data, or <see langword="null"/> to skip validation.</param>
    /// <param name="cancellationToken">Stops the run cleanly at the next step boundary.</param>
    /// <returns>What the run achieved.</returns>
    public TrainingSummary Train(
        nn.Module<Tensor, Tensor> model, ImageClassificationData train, ImageClassificationData? validation, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        var started = Stopwatch.GetTimestamp();
        var stepsPerEpoch = Math.Min(train.BatchCount(_options.BatchSize), _options.MaxStepsPerEpoch ?? int.MaxValue);
        var run = new RunDescriptor(RunDescriptor.Create(_options.RunName).Id)
        {
            Name = _options.RunName,
            ModelName = model.GetName(),
            TotalEpochs = _options.Epochs,
            StepsPerEpoch = stepsPerEpoch,
            Hyperparameters = Hyperparameters(_options),
        };

        random.manual_seed(_options.Seed);
        using var optimizer = CreateOptimizer(model);
        var scheduler = _options.Schedule == LearningRateSchedule.Constant && _options.WarmupSteps == 0
            ? null
            : new LearningRateScheduler(
                _options.LearningRate,
                _options.Schedule,
                Math.Max(1L, (long)_options.Epochs * stepsPerEpoch),
                _options.WarmupSteps,
                Math.Max(1L, (long)_options.StepSizeEpochs * stepsPerEpoch),
                _options.StepGamma);
        var augmentation = _options.Augment ? new FlipCropAugmentation(_options.Seed) : null;
        using var criterion = nn.CrossEntropyLoss();
        using var session = _monitor.Attach(model, optimizer, run);
        if (validation is not null)
        {
            // An evaluate command validates between steps; Evaluate restores training mode.
            session.Evaluator = () =>
            {
                var (loss, accuracy) = Evaluate(model, validation, _options.EvaluationBatchSize);
                return new ValidationResult(loss, accuracy);
            };
        }
        var epochsCompleted = 0;
        double? validationLoss = null;
        double? validationAccuracy = null;
        try
        {
            for (var epoch = 1; epoch <= _options.Epochs && !session.StopRequested; epoch++)
            {
                session.BeginEpoch(epoch);
                model.train();
                var steps = 0;
                foreach (var (images, labels) in train.Batches(_options.BatchSize, unchecked(_options.Seed + epoch)))
                {
                    // The batch is created by the enumerator, before this step's dispose scope: it is ours to dispose.
                    using (images)
                    using (labels)
                    using (NewDisposeScope())
                    {
                        if (steps >= stepsPerEpoch || !session.WaitForStepBoundary(cancellationToken))
                        {
                            break;
                        }

                        // A set_learning_rate command replaces the schedule: the run keeps the set rate from then on.
                        if (session.LearningRateOverridden)
                        {
                            scheduler = null;
                        }

                        scheduler?.Apply(optimizer, session.Step);
                        var input = augmentation is null ? images : augmentation.Apply(images);
                        session.RecordInput(input); // input_mean / input_std, on sampled steps only
                        optimizer.zero_grad();
                        var output = model.call(input);
                        var loss = criterion.call(output, labels);
                        loss.backward();
                        optimizer.step();
                        session.RecordStep(loss, output, labels);
                        steps++;
                    }
                }

                if (session.StopRequested)
                {
                    break;
                }

                if (validation is not null)
                {
                    (validationLoss, validationAccuracy) = Evaluate(model, validation, _options.EvaluationBatchSize);
                }

                session.RecordEpoch(validationLoss, validationAccuracy);
                epochsCompleted = epoch;
            }

            session.Complete();
        }
        catch (Exception ex)
        {
            session.Fail(ex);
            throw;
        }

        return new TrainingSummary
        {
            Run = session.Run,
            State = session.State,
            Steps = session.Step,
            EpochsCompleted = epochsCompleted,
            ValidationLoss = validationLoss,
            ValidationAccuracy = validationAccuracy,
            Elapsed = Stopwatch.GetElapsedTime(started),
        };
    }

    /// <summary>What the run is trained with, as its descriptor records it (streamed, stored, and read by diagnosis).</summary>
    internal static Dictionary<string, HyperparameterValue> Hyperparameters(VisionTrainerOptions options)
    {
        var values = new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal)
        {
            [HyperparameterNames.Optimizer] = options.Optimizer switch
            {
                TrainerOptimizer.AdamW => "adamw",
                TrainerOptimizer.SgdMomentum => "sgd",
                _ => "adam",
            },
            [HyperparameterNames.LearningRate] = options.LearningRate,
            [HyperparameterNames.LearningRateSchedule] = options.Schedule switch
            {
                LearningRateSchedule.Step => "step",
                LearningRateSchedule.Cosine => "cosine",
                _ => "constant",
            },
            [HyperparameterNames.BatchSize] = options.BatchSize,
            [HyperparameterNames.WeightDecay] = options.WeightDecay,
            [HyperparameterNames.Epochs] = options.Epochs,
            [HyperparameterNames.Augmentation] = options.Augment ? "flip_crop" : "none",
            [HyperparameterNames.Shuffle] = true,
            [HyperparameterNames.Seed] = options.Seed,
        };
        if (options.Optimizer == TrainerOptimizer.SgdMomentum)
        {
            values[HyperparameterNames.Momentum] = options.Momentum;
        }

        if (options.WarmupSteps > 0)
        {
            values[HyperparameterNames.WarmupSteps] = options.WarmupSteps;
        }

        if (options.Schedule == LearningRateSchedule.Step)
        {
            values["lr_step_epochs"] = options.StepSizeEpochs;
            values["lr_step_gamma"] = options.StepGamma;
        }

        return values;
    }

    private optim.Optimizer CreateOptimizer(nn.Module<Tensor, Tensor> model) => _options.Optimizer switch
    {
        TrainerOptimizer.AdamW => optim.AdamW(model.parameters(), _options.LearningRate, weight_decay: _options.WeightDecay),
        TrainerOptimizer.SgdMomentum => optim.SGD(model.parameters(), _options.LearningRate, momentum: _options.Momentum, weight_decay: _options.WeightDecay),
        _ => _options.WeightDecay == 0
            ? optim.Adam(model.parameters(), _options.LearningRate)
            : optim.Adam(model.parameters(), _options.LearningRate, weight_decay: _options.WeightDecay),
    };

    /// <summary>Computes mean cross-entropy loss and accuracy of <paramref name="model"/> on <paramref name="data"/>, without gradients.</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The data.</param>
    /// <param name="batchSize">The evaluation batch size.</param>
    /// <returns>The mean loss and the accuracy (0..1).</returns>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, ImageClassificationData data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var wasTraining = model.training;
        model.eval();
        double lossSum = 0;
        long correct = 0;
        try
        {
            using var noGrad = no_grad();
            foreach (var (images, labels) in data.Batches(batchSize))
            {
                using (images)
                using (labels)
                using (NewDisposeScope())
                {
                    var output = model.call(images);
                    lossSum += nn.functional.cross_entropy(output, labels, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
                    correct += output.argmax(1).eq(labels).sum().item<long>();
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }

        return (lossSum / data.Count, (double)correct / data.Count);
    }
}
