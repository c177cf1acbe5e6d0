using TrainInsight.Torch.Training;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Training;

/// <summary>Optimizers, learning-rate schedules and augmentation of <see cref="VisionTrainer"/>, trained for real on <see cref="SyntheticShapes"/>.</summary>
public sealed class VisionTrainerOptimizationTests
{
    [Theory]
    [InlineData(TrainerOptimizer.Adam, false)]
    [InlineData(TrainerOptimizer.AdamW, false)]
    [InlineData(TrainerOptimizer.SgdMomentum, false)]
    [InlineData(TrainerOptimizer.SgdMomentum, true)]
    public async Task Train_SameSeed_ReproducesLossSequence(TrainerOptimizer optimizer, bool augment)
    {
        using var data = SyntheticShapes.Generate(128, size: 16, seed: 11);
        VisionTrainerOptions Options() => new()
        {
            Optimizer = optimizer,
            LearningRate = optimizer == TrainerOptimizer.SgdMomentum ? 0.05 : 3e-3,
            WeightDecay = optimizer == TrainerOptimizer.Adam ? 0 : 1e-4,
            Augment = augment,
            Epochs = 3,
            BatchSize = 16,
            MaxStepsPerEpoch = 8,
            Seed = 7,
        };

        var first = await TrainAsync(Options(), data);
        var second = await TrainAsync(Options(), data);

        first.Losses.Should().HaveCount(24);
        second.Losses.Should().Equal(first.Losses, "the same seed gives the same weights, batches, augmentation and updates");
        first.Losses.TakeLast(8).Average().Should().BeLessThan(first.Losses.Take(8).Average(), "the model learns");
    }

    [Fact]
    public async Task Train_Optimizers_TakeDifferentPaths()
    {
        using var data = SyntheticShapes.Generate(64, size: 16, seed: 11);
        VisionTrainerOptions Options(TrainerOptimizer optimizer) => new() { Optimizer = optimizer, Epochs = 1, BatchSize = 16, WeightDecay = 0.1 };

        var adam = await TrainAsync(Options(TrainerOptimizer.Adam), data);
        var adamW = await TrainAsync(Options(TrainerOptimizer.AdamW), data);
        var sgd = await TrainAsync(Options(TrainerOptimizer.SgdMomentum), data);

        adam.Losses[0].Should().Be(adamW.Losses[0], "the first loss is computed before any update");
        adamW.Losses.Should().NotEqual(adam.Losses);
        sgd.Losses.Should().NotEqual(adam.Losses);
    }

    [Fact]
    public async Task Train_Augment_ChangesTheLossesButNotTheStepCount()
    {
        using var data = SyntheticShapes.Generate(64, size: 16, seed: 11);

        var plain = await TrainAsync(new VisionTrainerOptions { Epochs = 1, BatchSize = 16 }, data);
        var augmented = await TrainAsync(new VisionTrainerOptions { Epochs = 1, BatchSize = 16, Augment = true }, data);

        augmented.Losses.Should().HaveCount(4);
        augmented.Losses.Should().NotEqual(plain.Losses, "the network sees flipped and shifted images");
    }

    [Fact]
    public async Task Train_WarmupThenStep_PublishesTheScheduledLearningRate()
    {
        using var data = SyntheticShapes.Generate(64, size: 16, seed: 11);
        var options = new VisionTrainerOptions
        {
            Epochs = 3,
            BatchSize = 16,
            LearningRate = 0.01,
            Schedule = LearningRateSchedule.Step,
            StepSizeEpochs = 1,
            StepGamma = 0.5,
            WarmupSteps = 2,
        };

        var result = await TrainAsync(options, data);

        result.Rates.Should().HaveCount(12);
        result.Rates.Should().BeEquivalentTo(
            [0.005, 0.01, 0.01, 0.01, 0.01, 0.01, 0.005, 0.005, 0.005, 0.005, 0.0025, 0.0025],
            o => o.WithStrictOrdering().Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>(),
            "2 warm-up steps, then the rate halves every epoch of 4 steps");
    }

    [Fact]
    public async Task Train_Cosine_PublishesRatesMatchingTheScheduler()
    {
        using var data = SyntheticShapes.Generate(64, size: 16, seed: 11);
        var options = new VisionTrainerOptions { Epochs = 2, BatchSize = 16, MaxStepsPerEpoch = 3, LearningRate = 0.02, Schedule = LearningRateSchedule.Cosine, WarmupSteps = 1 };
        var scheduler = new LearningRateScheduler(0.02, LearningRateSchedule.Cosine, totalSteps: 6, warmupSteps: 1);

        var result = await TrainAsync(options, data);

        result.Rates.Should().Equal(Enumerable.Range(0, 6).Select(s => scheduler.RateAt(s)));
        result.Rates.Should().BeInDescendingOrder();
    }

    [Fact]
    public async Task Train_Defaults_KeepTheConstantAdamRate()
    {
        using var data = SyntheticShapes.Generate(32, size: 16, seed: 11);

        var result = await TrainAsync(new VisionTrainerOptions { Epochs = 1, BatchSize = 16, LearningRate = 2e-3 }, data);

        result.Rates.Should().Equal(2e-3, 2e-3);
    }

    private static async Task<TrainingResult> TrainAsync(VisionTrainerOptions options, ImageClassificationData train)
    {
        using var bus = TelemetryBus.Create();
        var control = TrainingControl.Create();
        using var recorder = new EventRecorder(bus);
        var monitor = new TrainingMonitor(bus, control, new TorchMonitorOptions { MetricsInterval = 1 });
        random.manual_seed(options.Seed);
        using var model = new SmallCnn(train.Channels, train.ClassNames.Count, train.Height);
        var summary = new VisionTrainer(monitor, options).Train(model, train, validation: null);
        var events = await recorder.WaitForRunFinishedAsync();
        summary.State.Should().Be(RunState.Completed);
        var metrics = events.OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.TrainLoss)).ToList();
        return new TrainingResult(
            [.. metrics.Select(m => m.Values[MetricNames.TrainLoss])],
            [.. metrics.Select(m => m.Values[MetricNames.LearningRate])]);
    }

    private sealed record TrainingResult(IReadOnlyList<double> Losses, IReadOnlyList<double> Rates);
}
