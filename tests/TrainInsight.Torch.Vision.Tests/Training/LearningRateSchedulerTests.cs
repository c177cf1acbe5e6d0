using TrainInsight.Torch.Training;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Training;

public sealed class LearningRateSchedulerTests
{
    [Fact]
    public void RateAt_Constant_IsTheBaseRate()
    {
        var scheduler = new LearningRateScheduler(0.1, LearningRateSchedule.Constant, totalSteps: 10);

        Enumerable.Range(0, 12).Select(s => scheduler.RateAt(s)).Should().OnlyContain(r => r == 0.1);
    }

    [Fact]
    public void RateAt_Step_DecaysByGammaEveryStepSize()
    {
        var scheduler = new LearningRateScheduler(1, LearningRateSchedule.Step, totalSteps: 8, stepSize: 3, gamma: 0.5);

        Enumerable.Range(0, 8).Select(s => scheduler.RateAt(s)).Should().Equal(1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25);
    }

    [Fact]
    public void RateAt_Cosine_FallsFromBaseToZeroOverThePlannedSteps()
    {
        var scheduler = new LearningRateScheduler(2, LearningRateSchedule.Cosine, totalSteps: 4);

        var rates = Enumerable.Range(0, 6).Select(s => scheduler.RateAt(s)).ToList();

        rates[0].Should().Be(2);
        rates[1].Should().BeApproximately(1 + Math.Sqrt(0.5), 1e-12);
        rates[2].Should().BeApproximately(1, 1e-12);
        rates[3].Should().BeApproximately(1 - Math.Sqrt(0.5), 1e-12);
        rates[4].Should().BeApproximately(0, 1e-12);
        rates[5].Should().BeApproximately(0, 1e-12, "past the plan the rate stays at 0");
    }

    [Fact]
    public void RateAt_Warmup_RisesLinearlyThenStartsTheSchedule()
    {
        var scheduler = new LearningRateScheduler(1, LearningRateSchedule.Step, totalSteps: 10, warmupSteps: 4, stepSize: 2, gamma: 0.1);

        var rates = Enumerable.Range(0, 8).Select(s => scheduler.RateAt(s)).ToList();

        rates.Take(4).Should().Equal(0.25, 0.5, 0.75, 1.0);
        rates.Skip(4).Should().BeEquivalentTo([1, 1, 0.1, 0.1], o => o.Using<double>(c => c.Subject.Should().BeApproximately(c.Expectation, 1e-12)).WhenTypeIs<double>());
    }

    [Fact]
    public void RateAt_CosineAfterWarmup_SpansTheRemainingSteps()
    {
        var scheduler = new LearningRateScheduler(1, LearningRateSchedule.Cosine, totalSteps: 6, warmupSteps: 2);

        scheduler.RateAt(1).Should().Be(1);
        scheduler.RateAt(2).Should().Be(1);
        scheduler.RateAt(4).Should().BeApproximately(0.5, 1e-12);
        scheduler.RateAt(6).Should().BeApproximately(0, 1e-12);
    }

    [Fact]
    public void Apply_SetsEveryParamGroup()
    {
        using var layer = nn.Linear(2, 2);
        using var optimizer = optim.SGD(layer.parameters(), 0.5);
        var scheduler = new LearningRateScheduler(0.5, LearningRateSchedule.Constant, totalSteps: 10, warmupSteps: 5);

        scheduler.Apply(optimizer, 0).Should().Be(0.1);

        optimizer.ParamGroups.Should().OnlyContain(g => g.LearningRate == 0.1);
    }

    [Theory]
    [InlineData(0, 1, 0, 1, 0.1)]
    [InlineData(double.NaN, 1, 0, 1, 0.1)]
    [InlineData(1, 0, 0, 1, 0.1)]
    [InlineData(1, 1, -1, 1, 0.1)]
    [InlineData(1, 1, 0, 0, 0.1)]
    [InlineData(1, 1, 0, 1, 0)]
    [InlineData(1, 1, 0, 1, 1.5)]
    public void Constructor_InvalidArguments_ThrowArgumentOutOfRange(double baseRate, long total, long warmup, long stepSize, double gamma)
    {
        FluentActions.Invoking(() => new LearningRateScheduler(baseRate, LearningRateSchedule.Step, total, warmup, stepSize, gamma))
            .Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new LearningRateScheduler(1, (LearningRateSchedule)42, 1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
