namespace TrainInsight.Torch.Tests;

public sealed class TorchMonitorOptionsTests
{
    [Fact]
    public void Constructor_Defaults_SampleEveryTenStepsWithoutGradientNorm()
    {
        var options = new TorchMonitorOptions();

        options.MetricsInterval.Should().Be(10);
        options.GradientNorm.Should().BeFalse();
        options.GpuMetrics.Should().BeTrue();
        options.GpuDeviceIndex.Should().Be(0);
        options.TensorBoardLogDirectory.Should().BeNull();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(1_000_000)]
    public void MetricsInterval_InRange_IsKept(int value)
    {
        var options = new TorchMonitorOptions { MetricsInterval = value };

        options.MetricsInterval.Should().Be(value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1_000_001)]
    [InlineData(int.MinValue)]
    public void MetricsInterval_OutOfRange_ThrowsAndKeepsPreviousValue(int value)
    {
        var options = new TorchMonitorOptions { MetricsInterval = 5 };

        var act = () => options.MetricsInterval = value;

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("MetricsInterval must be between 1 and 1,000,000.*")
            .Which.ActualValue.Should().Be(value);
        options.MetricsInterval.Should().Be(5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(int.MaxValue)]
    public void GpuDeviceIndex_ZeroOrMore_IsKept(int value)
    {
        var options = new TorchMonitorOptions { GpuDeviceIndex = value };

        options.GpuDeviceIndex.Should().Be(value);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void GpuDeviceIndex_Negative_ThrowsAndKeepsPreviousValue(int value)
    {
        var options = new TorchMonitorOptions { GpuDeviceIndex = 2 };

        var act = () => options.GpuDeviceIndex = value;

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("GpuDeviceIndex must be at least 0.*")
            .Which.ActualValue.Should().Be(value);
        options.GpuDeviceIndex.Should().Be(2);
    }

    [Fact]
    public void Constructor_Defaults_StatisticsCheckpointsAndEarlyStoppingAreOff()
    {
        var options = new TorchMonitorOptions();

        options.LayerStatistics.Should().BeFalse();
        options.ActivationStatistics.Should().BeFalse();
        options.StatisticsInterval.Should().Be(100);
        options.CheckpointDirectory.Should().BeNull();
        options.EarlyStopping.Should().BeNull();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1_000_001)]
    public void StatisticsInterval_OutOfRange_ThrowsAndKeepsPreviousValue(int value)
    {
        var options = new TorchMonitorOptions { StatisticsInterval = 7 };

        var act = () => options.StatisticsInterval = value;

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("StatisticsInterval must be between 1 and 1,000,000.*");
        options.StatisticsInterval.Should().Be(7);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void CheckpointDirectory_Blank_Throws(string value)
    {
        var options = new TorchMonitorOptions { CheckpointDirectory = "checkpoints" };

        var act = () => options.CheckpointDirectory = value;

        act.Should().Throw<ArgumentException>().WithMessage("CheckpointDirectory must be null or a folder path.*");
        options.CheckpointDirectory.Should().Be("checkpoints");
        options.CheckpointDirectory = null;
        options.CheckpointDirectory.Should().BeNull();
    }

    [Fact]
    public void EarlyStoppingOptions_Defaults_AreDocumentedValues()
    {
        var options = new EarlyStoppingOptions();

        options.Metric.Should().Be(EarlyStoppingMetric.ValidationLoss);
        options.Patience.Should().Be(5);
        options.MinDelta.Should().Be(0);
    }

    [Fact]
    public void EarlyStoppingOptions_InvalidValues_ThrowAndKeepPreviousValues()
    {
        var options = new EarlyStoppingOptions { Patience = 3, MinDelta = 0.5 };

        FluentActions.Invoking(() => options.Patience = 0).Should().Throw<ArgumentOutOfRangeException>().WithMessage("Patience must be between 1 and 10,000.*");
        FluentActions.Invoking(() => options.Patience = 10_001).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => options.MinDelta = -0.1).Should().Throw<ArgumentOutOfRangeException>().WithMessage("MinDelta must be a finite number of at least 0.*");
        FluentActions.Invoking(() => options.MinDelta = double.NaN).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => options.Metric = (EarlyStoppingMetric)9).Should().Throw<ArgumentOutOfRangeException>();
        options.Patience.Should().Be(3);
        options.MinDelta.Should().Be(0.5);
        options.Patience = EarlyStoppingOptions.MaxPatience;
        options.Patience.Should().Be(10_000);
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("/tmp/tensorboard")]
    [InlineData(" padded ")]
    public void TensorBoardLogDirectory_Path_IsKept(string value)
    {
        var options = new TorchMonitorOptions { TensorBoardLogDirectory = value };

        options.TensorBoardLogDirectory.Should().Be(value);
    }

    [Fact]
    public void TensorBoardLogDirectory_Null_TurnsLoggingOff()
    {
        var options = new TorchMonitorOptions { TensorBoardLogDirectory = "runs" };

        options.TensorBoardLogDirectory = null;

        options.TensorBoardLogDirectory.Should().BeNull();
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t\r\n")]
    public void TensorBoardLogDirectory_EmptyOrWhiteSpace_ThrowsAndKeepsPreviousValue(string value)
    {
        var options = new TorchMonitorOptions { TensorBoardLogDirectory = "runs" };

        var act = () => options.TensorBoardLogDirectory = value;

        act.Should().Throw<ArgumentException>().WithMessage("TensorBoardLogDirectory must be null or a folder path.*")
            .Which.ParamName.Should().Be("value");
        options.TensorBoardLogDirectory.Should().Be("runs");
    }

    [Fact]
    public void EtaWindowSteps_DefaultAndRange_TwoHundredAndOneToAMillion()
    {
        var options = new TorchMonitorOptions();

        options.EtaWindowSteps.Should().Be(200);
        options.EtaWindowSteps = 1;
        options.EtaWindowSteps = 1_000_000;
        FluentActions.Invoking(() => options.EtaWindowSteps = 0).Should().Throw<ArgumentOutOfRangeException>()
            .WithMessage("EtaWindowSteps must be between 1 and 1,000,000.*");
        options.EtaWindowSteps.Should().Be(1_000_000);
    }
}
