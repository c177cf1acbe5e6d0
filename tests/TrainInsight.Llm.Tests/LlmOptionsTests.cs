namespace TrainInsight.Llm.Tests;

public class LlmOptionsTests
{
    [Fact]
    public void Ctor_Defaults_AreDocumentedValues()
    {
        var options = new LlmOptions();

        options.MaxPromptPoints.Should().Be(50);
        options.Temperature.Should().BeNull();
        options.RequestTimeout.Should().Be(TimeSpan.FromSeconds(60));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10_000)]
    public void MaxPromptPoints_InRange_IsKept(int value)
    {
        new LlmOptions { MaxPromptPoints = value }.MaxPromptPoints.Should().Be(value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_001)]
    public void MaxPromptPoints_OutOfRange_Throws(int value)
    {
        var act = () => new LlmOptions { MaxPromptPoints = value };

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*MaxPromptPoints*");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.7f)]
    [InlineData(2f)]
    public void Temperature_InRange_IsKept(float value)
    {
        new LlmOptions { Temperature = value }.Temperature.Should().Be(value);
    }

    [Fact]
    public void Temperature_Null_IsKept()
    {
        new LlmOptions { Temperature = 1f, }.Invoking(o => o.Temperature = null).Should().NotThrow();
    }

    [Theory]
    [InlineData(-0.01f)]
    [InlineData(2.01f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void Temperature_OutOfRange_Throws(float value)
    {
        var act = () => new LlmOptions { Temperature = value };

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Temperature*");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(600.0)]
    public void RequestTimeout_InRange_IsKept(double seconds)
    {
        var value = TimeSpan.FromSeconds(seconds);

        new LlmOptions { RequestTimeout = value }.RequestTimeout.Should().Be(value);
    }

    [Theory]
    [InlineData(0.999)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(600.001)]
    public void RequestTimeout_OutOfRange_Throws(double seconds)
    {
        var act = () => new LlmOptions { RequestTimeout = TimeSpan.FromSeconds(seconds) };

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*RequestTimeout*");
    }

    [Fact]
    public void RequestTimeout_Infinite_Throws()
    {
        var act = () => new LlmOptions { RequestTimeout = Timeout.InfiniteTimeSpan };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }
}
