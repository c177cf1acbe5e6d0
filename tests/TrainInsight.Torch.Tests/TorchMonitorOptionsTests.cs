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

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("GpuDeviceIndex must be zero or more.*")
            .Which.ActualValue.Should().Be(value);
        options.GpuDeviceIndex.Should().Be(2);
    }
}
