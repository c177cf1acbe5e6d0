using TrainInsight.Torch.Training;

namespace TrainInsight.Torch.Vision.Tests.Training;

public sealed class VisionTrainerOptionsTests
{
    [Fact]
    public void Constructor_Defaults_AreDocumentedValues()
    {
        var options = new VisionTrainerOptions();

        options.Epochs.Should().Be(5);
        options.BatchSize.Should().Be(128);
        options.LearningRate.Should().Be(1e-3);
        options.Seed.Should().Be(42);
        options.MaxStepsPerEpoch.Should().BeNull();
        options.EvaluationBatchSize.Should().Be(1_000);
        options.RunName.Should().Be("vision");
    }

    [Fact]
    public void Setters_BoundaryValues_AreKept()
    {
        var options = new VisionTrainerOptions
        {
            Epochs = 100_000,
            BatchSize = 65_536,
            LearningRate = 10,
            Seed = -7,
            MaxStepsPerEpoch = 1,
            EvaluationBatchSize = 1,
            RunName = "r",
        };

        options.Epochs.Should().Be(100_000);
        options.BatchSize.Should().Be(65_536);
        options.LearningRate.Should().Be(10);
        options.Seed.Should().Be(-7);
        options.MaxStepsPerEpoch.Should().Be(1);
        options.EvaluationBatchSize.Should().Be(1);
        options.RunName.Should().Be("r");

        options.MaxStepsPerEpoch = null;
        options.MaxStepsPerEpoch.Should().BeNull();
    }

    [Theory]
    [InlineData(nameof(VisionTrainerOptions.Epochs), 0)]
    [InlineData(nameof(VisionTrainerOptions.Epochs), 100_001)]
    [InlineData(nameof(VisionTrainerOptions.BatchSize), 0)]
    [InlineData(nameof(VisionTrainerOptions.BatchSize), 65_537)]
    [InlineData(nameof(VisionTrainerOptions.MaxStepsPerEpoch), 0)]
    [InlineData(nameof(VisionTrainerOptions.MaxStepsPerEpoch), -5)]
    [InlineData(nameof(VisionTrainerOptions.EvaluationBatchSize), 0)]
    [InlineData(nameof(VisionTrainerOptions.EvaluationBatchSize), 65_537)]
    public void IntegerSetters_OutOfRange_ThrowNamingTheSetting(string setting, int value)
    {
        var options = new VisionTrainerOptions();
        var property = typeof(VisionTrainerOptions).GetProperty(setting)!;

        var act = () => property.SetValue(options, value);

        act.Should().Throw<System.Reflection.TargetInvocationException>()
            .WithInnerException<ArgumentOutOfRangeException>()
            .WithParameterName(setting)
            .WithMessage($"{setting} must be *between*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1e-3)]
    [InlineData(10.000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void LearningRate_Invalid_Throws(double value)
    {
        var options = new VisionTrainerOptions();

        var act = () => options.LearningRate = value;

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("LearningRate must be a finite number greater than 0 and at most 10.*");
        options.LearningRate.Should().Be(1e-3);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void RunName_NullOrBlank_Throws(string? value)
    {
        var options = new VisionTrainerOptions();

        var act = () => options.RunName = value!;

        act.Should().Throw<ArgumentException>();
        options.RunName.Should().Be("vision");
    }

    [Fact]
    public void OptimizationSettings_Defaults_AreDocumentedValues()
    {
        var options = new VisionTrainerOptions();

        options.Optimizer.Should().Be(TrainerOptimizer.Adam);
        options.WeightDecay.Should().Be(0);
        options.Momentum.Should().Be(0.9);
        options.Schedule.Should().Be(LearningRateSchedule.Constant);
        options.StepSizeEpochs.Should().Be(1);
        options.StepGamma.Should().Be(0.1);
        options.WarmupSteps.Should().Be(0);
        options.Augment.Should().BeFalse();
    }

    [Fact]
    public void OptimizationSettings_BoundaryValues_AreKept()
    {
        var options = new VisionTrainerOptions
        {
            Optimizer = TrainerOptimizer.SgdMomentum,
            WeightDecay = 1,
            Momentum = 0,
            Schedule = LearningRateSchedule.Cosine,
            StepSizeEpochs = 100_000,
            StepGamma = 1,
            WarmupSteps = 10_000_000,
            Augment = true,
        };

        options.Optimizer.Should().Be(TrainerOptimizer.SgdMomentum);
        options.WeightDecay.Should().Be(1);
        options.Momentum.Should().Be(0);
        options.Schedule.Should().Be(LearningRateSchedule.Cosine);
        options.StepSizeEpochs.Should().Be(100_000);
        options.StepGamma.Should().Be(1);
        options.WarmupSteps.Should().Be(10_000_000);
        options.Augment.Should().BeTrue();
    }

    [Fact]
    public void OptimizationSettings_Invalid_ThrowNamingTheSetting()
    {
        var options = new VisionTrainerOptions();

        FluentActions.Invoking(() => options.Optimizer = (TrainerOptimizer)9).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Optimizer");
        FluentActions.Invoking(() => options.Schedule = (LearningRateSchedule)9).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Schedule");
        FluentActions.Invoking(() => options.WeightDecay = -0.1).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("WeightDecay");
        FluentActions.Invoking(() => options.WeightDecay = double.NaN).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("WeightDecay");
        FluentActions.Invoking(() => options.Momentum = 1).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("Momentum");
        FluentActions.Invoking(() => options.StepGamma = 0).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("StepGamma");
        FluentActions.Invoking(() => options.StepSizeEpochs = 0).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("StepSizeEpochs");
        FluentActions.Invoking(() => options.WarmupSteps = -1).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("WarmupSteps");
        options.Optimizer.Should().Be(TrainerOptimizer.Adam);
        options.Momentum.Should().Be(0.9);
    }
}
