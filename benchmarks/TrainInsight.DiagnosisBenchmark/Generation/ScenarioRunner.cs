using System.Diagnostics;
using TrainInsight.DiagnosisBenchmark.Models;
using TrainInsight.DiagnosisBenchmark.Traces;
using TrainInsight.Torch;
using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>
/// Trains one scenario × model family × seed with real TorchSharp on real Fashion-MNIST, instrumented exactly as a user
/// instruments their own loop: a <see cref="TrainingMonitor"/> on a real bus, <c>RecordInput</c>, <c>RecordStep</c>,
/// <c>BeginEpoch</c>/<c>RecordEpoch</c> with validation loss and accuracy, and <c>WaitForStepBoundary</c> so that
/// control commands apply. A <see cref="TraceRecorder"/> records every event of the run.
/// </summary>
internal sealed class ScenarioRunner(FashionMnistSource source)
{
    /// <summary>The sampled updates per epoch the metrics interval aims at (15–25).</summary>
    public const double SampledUpdatesPerEpoch = 19;

    public RunOutcome Run(
        ScenarioSpec spec, string family, int seed, string? runId = null, IReadOnlyList<IRunHooks>? extraHooks = null,
        string? checkpointDirectory = null, CancellationToken cancellationToken = default)
    {
        spec = spec.ForFamily(family);
        runId ??= TraceName(spec.Name, family, seed);
        var wall = Stopwatch.StartNew();
        using var data = DataSplit.Create(source, seed, spec.TrainSize, spec.ValSize, spec.RawPixels, spec.LabelNoise, spec.SortedUnshuffled);
        var epochs = spec.Epochs(family);
        var stepsPerEpoch = (data.TrainCount + spec.BatchSize - 1) / spec.BatchSize;
        if (spec.MaxStepsPerEpoch is { } max)
        {
            stepsPerEpoch = Math.Min(stepsPerEpoch, max);
        }

        var interval = Math.Max(1, (int)Math.Round(stepsPerEpoch / SampledUpdatesPerEpoch));
        var options = new TorchMonitorOptions
        {
            MetricsInterval = interval,
            StatisticsInterval = interval,
            GradientNorm = true,
            LayerStatistics = true,
            ActivationStatistics = true,
            GpuMetrics = false,
            CheckpointDirectory = checkpointDirectory,
        };

        var hooks = new List<IRunHooks>();
        LearningRateSpike? spike = null;
        if (spec.SpikeFactor is { } factor)
        {
            spike = new LearningRateSpike((long)epochs * stepsPerEpoch / 2, spec.LearningRate * factor);
            hooks.Add(spike);
        }

        hooks.AddRange(extraHooks ?? []);

        var control = TrainingControl.Create();
        using var bus = TelemetryBus.Create(new TrainInsightOptions(), store: null, control);
        var hyperparameters = new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal)
        {
            [HyperparameterNames.Optimizer] = spec.OptimizerName,
            [HyperparameterNames.LearningRate] = spec.LearningRate,
            [HyperparameterNames.LearningRateSchedule] = "constant",
            [HyperparameterNames.BatchSize] = spec.BatchSize,
            [HyperparameterNames.WeightDecay] = spec.WeightDecay,
            [HyperparameterNames.Epochs] = epochs,
            [HyperparameterNames.Seed] = seed,
        };
        if (spec.Optimizer == OptimizerKind.Sgd)
        {
            hyperparameters[HyperparameterNames.Momentum] = spec.Momentum;
        }

        var run = new RunDescriptor(runId)
        {
            Name = runId,
            TotalEpochs = epochs,
            StepsPerEpoch = stepsPerEpoch,
            Hyperparameters = hyperparameters,
        };

        random.manual_seed(seed);
        using var model = ModelFactory.Create(spec.Architecture, family);
        using optim.Optimizer optimizer = spec.Optimizer == OptimizerKind.Adam
            ? optim.Adam(model.parameters(), spec.LearningRate, weight_decay: spec.WeightDecay)
            : optim.SGD(model.parameters(), spec.LearningRate, momentum: spec.Momentum, weight_decay: spec.WeightDecay);
        using var criterion = nn.CrossEntropyLoss();
        var monitor = new TrainingMonitor(bus, control, options);
        using var recorder = new TraceRecorder(bus, runId);
        foreach (var hook in hooks)
        {
            hook.Started(bus, control, run);
        }

        double finalAccuracy = double.NaN, finalLoss = double.NaN, best = double.NaN;
        long samples = 0;
        double trainSeconds = 0;
        var completedEpochs = 0;
        string? notes = spec.Notes;
        RunState finalState;
        long steps;
        RunDescriptor sessionRun;
        using (var session = monitor.Attach(model, optimizer, run))
        {
            sessionRun = session.Run;
            session.Evaluator = () =>
            {
                var (loss, accuracy) = Evaluate(model, data.ValImages, data.ValLabels);
                return new ValidationResult(loss, accuracy);
            };
            try
            {
                for (var epoch = 1; epoch <= epochs && !session.StopRequested; epoch++)
                {
                    session.BeginEpoch(epoch);
                    model.train();
                    var order = EpochOrder(data.TrainCount, seed, epoch, spec.SortedUnshuffled);
                    var timer = Stopwatch.StartNew();
                    for (var b = 0; b < stepsPerEpoch; b++)
                    {
                        using var scope = NewDisposeScope();

                        // The loader: the batch is fetched before the boundary, so its time is data_time.
                        var start = b * spec.BatchSize;
                        var length = Math.Min(spec.BatchSize, data.TrainCount - start);
                        using var index = tensor(order.AsSpan(start, length).ToArray(), [length]);
                        var images = data.TrainImages.index_select(0, index);
                        var labels = data.TrainLabels.index_select(0, index);
                        if (spec.LoaderDelayMs > 0)
                        {
                            Thread.Sleep(spec.LoaderDelayMs);
                        }

                        foreach (var hook in hooks)
                        {
                            hook.BeforeBoundary(session);
                        }

                        if (!session.WaitForStepBoundary(cancellationToken))
                        {
                            break;
                        }

                        session.RecordInput(images);
                        if (!spec.SkipZeroGrad)
                        {
                            optimizer.zero_grad();
                        }

                        var output = model.call(images);
                        var loss = criterion.call(output, labels);
                        loss.backward();
                        optimizer.step();
                        session.RecordStep(loss, output, labels);
                        samples += length;
                    }

                    trainSeconds += timer.Elapsed.TotalSeconds;
                    if (session.StopRequested)
                    {
                        break;
                    }

                    (finalLoss, finalAccuracy) = Evaluate(model, data.ValImages, data.ValLabels);
                    best = double.IsNaN(best) || finalAccuracy > best ? finalAccuracy : best;
                    session.RecordEpoch(finalLoss, finalAccuracy);
                    completedEpochs = epoch;
                }

                if (session.StopRequested && completedEpochs < epochs)
                {
                    // Stopped mid-run (a stop command): the model as it is now is what the run delivers.
                    (finalLoss, finalAccuracy) = Evaluate(model, data.ValImages, data.ValLabels);
                    best = double.IsNaN(best) || finalAccuracy > best ? finalAccuracy : best;
                    notes = Append(notes, $"stopped at step {session.Step} (epoch {session.Epoch}); final accuracy measured at the stop");
                }

                session.Complete();
            }
            catch (Exception ex)
            {
                session.Fail(ex);
                notes = Append(notes, $"failed: {ex.GetType().Name}: {ex.Message}");
            }

            finalState = session.State;
            steps = session.Step;
            if (session.TelemetryErrors > 0)
            {
                notes = Append(notes, $"{session.TelemetryErrors} telemetry errors");
            }
        }

        if (!recorder.WaitForRunFinished(TimeSpan.FromSeconds(30)))
        {
            notes = Append(notes, "run_finished was not recorded within 30 s");
        }

        foreach (var hook in hooks)
        {
            hook.Finished();
        }

        if (recorder.Dropped > 0)
        {
            notes = Append(notes, $"the recorder's subscription dropped {recorder.Dropped} events");
        }

        wall.Stop();
        var header = new TraceHeader
        {
            Scenario = spec.Name,
            Label = spec.Label,
            Model = family,
            Seed = seed,
            OnsetStep = spike?.AppliedAtStep ?? 0,
            Optimizer = spec.OptimizerName,
            Lr = spec.LearningRate,
            Momentum = spec.Momentum,
            BatchSize = spec.BatchSize,
            Epochs = epochs,
            FinalValAccuracy = finalAccuracy,
            BestValAccuracy = best,
            FinalValLoss = finalLoss,
            SamplesPerSecond = trainSeconds > 0 ? samples / trainSeconds : 0,
            WallSeconds = wall.Elapsed.TotalSeconds,
            RunId = runId,
            ModelName = sessionRun.ModelName ?? model.GetName(),
            ParameterCount = sessionRun.ParameterCount ?? 0,
            TrainSize = data.TrainCount,
            ValSize = data.ValCount,
            StepsPerEpoch = stepsPerEpoch,
            TotalSteps = steps,
            MetricsInterval = interval,
            StatisticsInterval = interval,
            FinalState = TraceJson.Name(finalState),
            StartedAt = run.StartedAt,
            Fault = spec.Fault,
            Notes = data.NoisyLabelShare > 0 ? Append(notes, $"{data.NoisyLabelShare:P1} of the training labels are wrong") : notes,
            Hyperparameters = hyperparameters.ToDictionary(
                p => p.Key,
                p => p.Value.Kind switch
                {
                    HyperparameterKind.Number => (object)p.Value.Number,
                    HyperparameterKind.Boolean => p.Value.Boolean,
                    _ => p.Value.Text,
                },
                StringComparer.Ordinal),
        };
        var events = recorder.Events.Where(e => e.RunId == runId).ToList();
        return new RunOutcome(header, events);
    }

    public static string TraceName(string scenario, string family, int seed) => $"{scenario}__{family}__s{seed}";

    /// <summary>Mean cross-entropy and accuracy on the validation tensors, without gradients, in evaluation mode.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            using var scope = NewDisposeScope();
            double lossSum = 0;
            long correct = 0;
            var count = images.shape[0];
            for (long start = 0; start < count; start += 500)
            {
                var length = Math.Min(500, count - start);
                var x = images.narrow(0, start, length);
                var y = labels.narrow(0, start, length);
                var output = model.call(x);
                lossSum += nn.functional.cross_entropy(output, y, reduction: nn.Reduction.Sum).to_type(ScalarType.Float64).item<double>();
                correct += output.argmax(1).eq(y).sum().item<long>();
            }

            return (lossSum / count, (double)correct / count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static long[] EpochOrder(int count, int seed, int epoch, bool fileOrder)
    {
        var order = new long[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        if (!fileOrder)
        {
            new Random(unchecked((seed * 1_000_003) + epoch)).Shuffle(order);
        }

        return order;
    }

    private static string Append(string? notes, string text) => string.IsNullOrEmpty(notes) ? text : notes + "; " + text;
}
