using TrainInsight.Torch.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Training;

public sealed class VisionTrainerTests(ITestOutputHelper output)
{
    [FashionMnistFact]
    public async Task Train_SameSeed_ReproducesLossSequence()
    {
        using var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 1_000);
        using var validation = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: 500);
        VisionTrainerOptions Options(int seed) => new() { Seed = seed, Epochs = 2, BatchSize = 32, MaxStepsPerEpoch = 20, RunName = "repro" };

        var first = await TrainAsync(Options(1234), train, validation);
        var second = await TrainAsync(Options(1234), train, validation);
        var other = await TrainAsync(Options(4321), train, validation);

        first.Summary.Steps.Should().Be(40, "two epochs capped at 20 steps each");
        first.Summary.Run.StepsPerEpoch.Should().Be(20);
        first.Metrics.Select(m => m.Batch).Should().OnlyContain(b => b >= 1 && b <= 20);
        first.Losses.Should().HaveCount(40);
        second.Losses.Should().Equal(first.Losses, "the same seed gives the same weights, batches and therefore losses");
        second.Summary.ValidationLoss.Should().Be(first.Summary.ValidationLoss);
        second.Summary.ValidationAccuracy.Should().Be(first.Summary.ValidationAccuracy);
        second.Summary.Run.Id.Should().NotBe(first.Summary.Run.Id, "every run gets its own id");
        other.Losses.Should().NotEqual(first.Losses, "another seed gives other weights and another batch order");
    }

    [FashionMnistFact]
    public async Task Train_Completed_SummaryDescribesTheRun()
    {
        using var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 1_000);
        using var validation = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: 500);
        var options = new VisionTrainerOptions { Epochs = 2, BatchSize = 128, EvaluationBatchSize = 200, RunName = "summary test" };

        var result = await TrainAsync(options, train, validation, keepModel: true);

        using var model = result.Model!;
        var summary = result.Summary;
        summary.State.Should().Be(RunState.Completed);
        summary.Steps.Should().Be(16, "1,000 images in batches of 128 are 8 steps per epoch");
        summary.EpochsCompleted.Should().Be(2);
        summary.Elapsed.Should().BePositive();
        summary.Run.Name.Should().Be("summary test");
        summary.Run.Id.Should().StartWith("summary-test-");
        summary.Run.ModelName.Should().Be("SmallCnn");
        summary.Run.ParameterCount.Should().Be(105_866);
        summary.Run.TotalEpochs.Should().Be(2);
        summary.Run.StepsPerEpoch.Should().Be(8);
        summary.Run.Hyperparameters.Should().BeEquivalentTo(new Dictionary<string, HyperparameterValue>
        {
            ["optimizer"] = "adam",
            ["learning_rate"] = 0.001,
            ["lr_schedule"] = "constant",
            ["batch_size"] = 128,
            ["weight_decay"] = 0,
            ["epochs"] = 2,
            ["augmentation"] = "none",
            ["shuffle"] = true,
            ["seed"] = options.Seed,
        });
        result.Events.OfType<TrainingEvent>().First(e => e.Kind == TrainingEventKind.RunStarted).Run.Hyperparameters.Should().HaveCount(9);
        summary.ValidationAccuracy.Should().BeInRange(0, 1);
        summary.ValidationLoss.Should().BePositive();
        var (loss, accuracy) = VisionTrainer.Evaluate(model, validation, 500);
        summary.ValidationLoss.Should().BeApproximately(loss, 1e-5, "the summary holds the last validation of the final weights");
        summary.ValidationAccuracy.Should().Be(accuracy);

        var epochs = result.Events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.EpochCompleted).ToList();
        epochs.Select(e => e.Epoch).Should().Equal(1, 2);
        epochs.Select(e => e.Step).Should().Equal(8L, 16L);
        epochs.Should().OnlyContain(e => e.Metrics.ContainsKey(MetricNames.ValLoss) && e.Metrics.ContainsKey(MetricNames.ValAccuracy) && e.Metrics.ContainsKey(MetricNames.BestAccuracy));
        epochs[^1].Metrics[MetricNames.ValAccuracy].Should().Be(summary.ValidationAccuracy!.Value);
        epochs[^1].Metrics[MetricNames.BestAccuracy].Should().Be(epochs.Max(e => e.Metrics[MetricNames.ValAccuracy]));
        var finished = result.Events[^1].Should().BeOfType<TrainingEvent>().Subject;
        finished.Kind.Should().Be(TrainingEventKind.RunFinished);
        finished.State.Should().Be(RunState.Completed);
        finished.Step.Should().Be(16);
        result.Metrics.Select(m => m.Step).Should().Equal([1L, 8L, 16L], "the MetricsInterval of the test monitor is 8");

        var throughput = result.Metrics.Skip(1).Select(m => m.Values[MetricNames.SamplesPerSecond]).ToList();
        output.WriteLine($"SmallCnn training throughput at batch 128 (CPU, {Environment.ProcessorCount} cores): {string.Join(", ", throughput.Select(t => $"{t:N0}"))} images/s");
    }

    [Fact]
    public async Task Train_NoValidation_SummaryHasNoValidationResults()
    {
        using var train = SyntheticImages.Create(128);
        var options = new VisionTrainerOptions { Epochs = 2, BatchSize = 16, MaxStepsPerEpoch = 3 };

        var result = await TrainAsync(options, train, validation: null);

        result.Summary.State.Should().Be(RunState.Completed);
        result.Summary.Steps.Should().Be(6);
        result.Summary.EpochsCompleted.Should().Be(2);
        result.Summary.ValidationLoss.Should().BeNull();
        result.Summary.ValidationAccuracy.Should().BeNull();
        result.Summary.Run.Name.Should().Be("vision");
        var epochs = result.Events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.EpochCompleted).ToList();
        epochs.Should().HaveCount(2).And.OnlyContain(e => e.Metrics.Keys.SequenceEqual(new[] { MetricNames.TrainLoss }));
    }

    [Fact]
    public async Task Train_CancelledBeforeStart_StopsWithoutSteps()
    {
        using var train = SyntheticImages.Create(64);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var result = await TrainAsync(new VisionTrainerOptions { Epochs = 3, BatchSize = 16 }, train, train, cancellationToken: cts.Token);

        result.Summary.State.Should().Be(RunState.Stopped);
        result.Summary.Steps.Should().Be(0);
        result.Summary.EpochsCompleted.Should().Be(0);
        result.Summary.ValidationLoss.Should().BeNull();
        result.Events.OfType<TrainingEvent>().Select(e => e.Kind).Should().Equal(TrainingEventKind.RunStarted, TrainingEventKind.RunFinished);
        result.Events[^1].Should().BeOfType<TrainingEvent>().Which.State.Should().Be(RunState.Stopped);
    }

    [Fact]
    public async Task Train_StopCommandMidRun_StopsAtStepBoundary()
    {
        using var train = SyntheticImages.Create(256);
        using var bus = TelemetryBus.Create();
        var control = TrainingControl.Create();
        using var recorder = new EventRecorder(bus);
        var trainer = new VisionTrainer(new TrainingMonitor(bus, control, new TorchMonitorOptions { MetricsInterval = 1 }), new VisionTrainerOptions { Epochs = 10_000, BatchSize = 8 });
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var model = new SmallCnn();

        var training = Task.Factory.StartNew(() => trainer.Train(model, train, validation: null, safety.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await recorder.WaitForAsync<MetricEvent>(m => m.Step >= 3, "the trainer trains");
        var stop = control.Submit(ControlAction.Stop);
        var summary = await training.WaitAsync(EventRecorder.Patience);

        safety.IsCancellationRequested.Should().BeFalse();
        summary.State.Should().Be(RunState.Stopped);
        summary.Steps.Should().BeGreaterThanOrEqualTo(3);
        summary.EpochsCompleted.Should().BeLessThan(10_000);
        var events = await recorder.WaitForRunFinishedAsync();
        events.OfType<TrainingEvent>().Single(e => e.Command?.Id == stop.Id).Step.Should().Be(summary.Steps);
        events.OfType<MetricEvent>().Max(m => m.Step).Should().Be(summary.Steps);
        events[^1].Should().BeOfType<TrainingEvent>().Which.State.Should().Be(RunState.Stopped);
        control.ActiveRuns.Should().BeEmpty();
    }

    [Fact]
    public async Task Train_SetLearningRateDuringSchedule_EndsTheScheduleAndKeepsTheSetRate()
    {
        using var train = SyntheticImages.Create(256);
        using var bus = TelemetryBus.Create();
        var control = TrainingControl.Create();
        using var recorder = new EventRecorder(bus);
        var options = new VisionTrainerOptions { Epochs = 10_000, BatchSize = 8, Schedule = LearningRateSchedule.Cosine, WarmupSteps = 1_000 };
        var trainer = new VisionTrainer(new TrainingMonitor(bus, control, new TorchMonitorOptions { MetricsInterval = 1 }), options);
        using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        using var model = new SmallCnn();

        var training = Task.Factory.StartNew(() => trainer.Train(model, train, validation: null, safety.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        await recorder.WaitForAsync<MetricEvent>(m => m.Step >= 3, "the trainer trains");
        var set = control.Submit(ControlAction.SetLearningRate, value: 0.004);
        var ack = await recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == set.Id, "the command was handled");
        await recorder.WaitForAsync<MetricEvent>(m => m.Step >= ack.Step + 5, "the trainer trains on");
        control.Submit(ControlAction.Stop);
        (await training.WaitAsync(EventRecorder.Patience)).State.Should().Be(RunState.Stopped);

        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        var metrics = (await recorder.WaitForRunFinishedAsync()).OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.LearningRate)).ToList();
        metrics.Where(m => m.Step <= ack.Step).Select(m => m.Values[MetricNames.LearningRate])
            .Should().BeInAscendingOrder("warm-up ran before the command").And.OnlyContain(r => r < 0.004);
        metrics.Where(m => m.Step > ack.Step).Should().HaveCountGreaterThanOrEqualTo(5)
            .And.OnlyContain(m => m.Values[MetricNames.LearningRate] == 0.004, "the schedule no longer overwrites the set rate");
    }

    [Fact]
    public async Task Train_ModelRejectsTheImages_FailsTheRunAndRethrows()
    {
        using var train = SyntheticImages.Create(32, size: 32);
        using var bus = TelemetryBus.Create();
        var control = TrainingControl.Create();
        using var recorder = new EventRecorder(bus);
        var trainer = new VisionTrainer(new TrainingMonitor(bus, control), new VisionTrainerOptions { Epochs = 1, BatchSize = 8 });
        using var model = new SmallCnn(imageSize: 28);

        var act = () => trainer.Train(model, train, validation: null);

        var thrown = act.Should().Throw<Exception>("32×32 images do not fit a network built for 28×28").Which;
        var finished = (await recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        output.WriteLine(finished.Message);
        finished.State.Should().Be(RunState.Failed);
        thrown.Message.Should().Contain("\n", "TorchSharp appends the native backtrace to the message");
        finished.Message.Should().Be($"{thrown.GetType().Name}: {thrown.Message.Split('\n')[0]}", "the event keeps only the first line");
        finished.Message.Should().Contain("shapes cannot be multiplied");
        control.ActiveRuns.Should().BeEmpty();
    }

    [Fact]
    public void Evaluate_AnyBatchSize_GivesMeanLossAndAccuracyAndRestoresMode()
    {
        using var data = SyntheticImages.Create(100);
        random.manual_seed(3);
        using var model = new SmallCnn();
        model.train();

        var (loss, accuracy) = VisionTrainer.Evaluate(model, data, batchSize: 100);
        var (lossInSevens, accuracyInSevens) = VisionTrainer.Evaluate(model, data, batchSize: 7);

        model.training.Should().BeTrue("Evaluate puts the model back in training mode");
        loss.Should().BePositive();
        accuracy.Should().BeInRange(0, 1);
        (accuracy * 100).Should().BeApproximately(Math.Round(accuracy * 100), 1e-9, "accuracy is a count of 100 images");
        lossInSevens.Should().BeApproximately(loss, 1e-5);
        accuracyInSevens.Should().Be(accuracy);
        using (NewDisposeScope())
        {
            var (images, labels) = data.Batches(100).Single();
            using var noGrad = no_grad();
            var expected = nn.functional.cross_entropy(model.call(images), labels).item<float>();
            loss.Should().BeApproximately(expected, 1e-5);
        }

        model.eval();
        VisionTrainer.Evaluate(model, data, batchSize: 50);
        model.training.Should().BeFalse("Evaluate restores the mode it found");
    }

    [Fact]
    public void Train_NullArguments_Throw()
    {
        using var bus = TelemetryBus.Create();
        var trainer = new VisionTrainer(new TrainingMonitor(bus, TrainingControl.Create()));
        using var data = SyntheticImages.Create(8);
        using var model = new SmallCnn();

        FluentActions.Invoking(() => new VisionTrainer(null!)).Should().Throw<ArgumentNullException>().WithParameterName("monitor");
        FluentActions.Invoking(() => trainer.Train(null!, data, null)).Should().Throw<ArgumentNullException>().WithParameterName("model");
        FluentActions.Invoking(() => trainer.Train(model, null!, null)).Should().Throw<ArgumentNullException>().WithParameterName("train");
        FluentActions.Invoking(() => VisionTrainer.Evaluate(null!, data, 8)).Should().Throw<ArgumentNullException>().WithParameterName("model");
        FluentActions.Invoking(() => VisionTrainer.Evaluate(model, null!, 8)).Should().Throw<ArgumentNullException>().WithParameterName("data");
        bus.GetStatistics().Published.Should().Be(0, "no run was started");
    }

    /// <summary>
    /// Trains a fresh <see cref="SmallCnn"/> whose weights are seeded with <see cref="VisionTrainerOptions.Seed"/>, on its own
    /// bus and control, with metrics every step (every 8th when <paramref name="keepModel"/>), and records the run's events.
    /// </summary>
    private static async Task<TrainingResult> TrainAsync(
        VisionTrainerOptions options,
        ImageClassificationData train,
        ImageClassificationData? validation,
        bool keepModel = false,
        CancellationToken cancellationToken = default)
    {
        using var bus = TelemetryBus.Create();
        var control = TrainingControl.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, control, new TorchMonitorOptions { MetricsInterval = keepModel ? 8 : 1 });
        random.manual_seed(options.Seed);
        var model = new SmallCnn();
        try
        {
            var summary = new VisionTrainer(monitor, options).Train(model, train, validation, cancellationToken);
            var events = await recorder.WaitForRunFinishedAsync();
            control.ActiveRuns.Should().BeEmpty("the trainer ends its session");
            return new TrainingResult(summary, events, keepModel ? model : null);
        }
        finally
        {
            if (!keepModel)
            {
                model.Dispose();
            }
        }
    }

    private sealed record TrainingResult(TrainingSummary Summary, IReadOnlyList<TrainInsightEvent> Events, SmallCnn? Model)
    {
        public IReadOnlyList<MetricEvent> Metrics { get; } = [.. Events.OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.TrainLoss))];

        public IReadOnlyList<double> Losses => [.. Metrics.Select(m => m.Values[MetricNames.TrainLoss])];
    }

    [Fact]
    public void Hyperparameters_SgdWithStepScheduleAndWarmup_RecordEverySetting()
    {
        var options = new VisionTrainerOptions
        {
            Optimizer = TrainerOptimizer.SgdMomentum,
            LearningRate = 0.05,
            Momentum = 0.9,
            WeightDecay = 5e-4,
            Schedule = LearningRateSchedule.Step,
            StepSizeEpochs = 3,
            StepGamma = 0.5,
            WarmupSteps = 100,
            Augment = true,
            Seed = 7,
            BatchSize = 16,
            Epochs = 4,
        };

        var values = VisionTrainer.Hyperparameters(options);

        values.Should().BeEquivalentTo(new Dictionary<string, HyperparameterValue>
        {
            ["optimizer"] = "sgd",
            ["learning_rate"] = 0.05,
            ["momentum"] = 0.9,
            ["weight_decay"] = 5e-4,
            ["lr_schedule"] = "step",
            ["lr_step_epochs"] = 3,
            ["lr_step_gamma"] = 0.5,
            ["warmup_steps"] = 100,
            ["augmentation"] = "flip_crop",
            ["seed"] = 7,
            ["batch_size"] = 16,
            ["epochs"] = 4,
            ["shuffle"] = true,
        });
    }
}
