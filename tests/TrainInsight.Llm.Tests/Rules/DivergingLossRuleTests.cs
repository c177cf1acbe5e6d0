using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Rules;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Rules;

public class DivergingLossRuleTests
{
    [Fact]
    public async Task Evaluate_RecentMeanAboveOneAndAHalfTimesBestWindow_ReportsWarning()
    {
        // Falls to a flat 0.5 at steps 4-13, then sits at 1.0: the last 10 average 1.0 = 2x the best 10-sample mean.
        using var run = await new TestRun().Losses([2.0, 1.5, 1.0]).Losses(Series.Flat(10, 0.5, wobble: 0)).Losses(Series.Flat(10, 1.0, wobble: 0)).SettledAsync();

        var finding = new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Code.Should().Be(FindingCodes.LossDiverging);
        finding.Severity.Should().Be(FindingSeverity.Warning);
        finding.Message.Should().Contain("last 10 finite samples (1)").And.Contain("2x the lowest mean of 10 consecutive samples")
            .And.Contain("(0.5 at steps 4-13)").And.Contain("lower the learning rate");
    }

    [Fact]
    public async Task Evaluate_RecentMeanJustBelowThreshold_ReportsNothing()
    {
        // Best 10-sample mean 0.5; the last 10 average 0.74 < 0.75.
        using var run = await new TestRun().Losses([2.0, 1.5, 1.0]).Losses(Series.Flat(10, 0.5, wobble: 0)).Losses(Series.Flat(10, 0.74, wobble: 0)).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_DecreasingLoss_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Decaying(50)).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(8)]
    public async Task Evaluate_NoisyHealthyCurve_ReportsNothing(int seed)
    {
        // 2.3 -> 0.3 over 400 samples with 20% normal mini-batch noise: healthy, but far from smooth.
        var losses = Series.Noisy(400, seed);
        using var run = await new TestRun().Losses(losses).SettledAsync();

        // The curve is noisy enough that comparing the last few samples with the single lowest one calls it diverging.
        losses.TakeLast(5).Average().Should().BeGreaterThan(1.5 * losses.Min());

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_NoisyCurveThatRisesThreefoldAtTheEnd_ReportsWarning()
    {
        // The same noisy healthy curve, but over its last 30 samples the loss climbs steadily to 3x its level.
        const int Count = 400, Rise = 30;
        var losses = Series.Noisy(Count, seed: 1).Select((v, i) => i < Count - Rise ? v : v * Math.Pow(3.0, (i - (Count - Rise) + 1) / (double)Rise));
        using var run = await new TestRun().Losses(losses).SettledAsync();

        var finding = new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Code.Should().Be(FindingCodes.LossDiverging);
        finding.Severity.Should().Be(FindingSeverity.Warning);
    }

    [Fact]
    public async Task Evaluate_FewerThanTwentyPoints_ReportsNothing()
    {
        // Clearly diverging, but only 19 finite samples (the NaN does not count).
        using var run = await new TestRun().Losses(Series.Flat(10, 0.1, wobble: 0)).Losses([double.NaN]).Losses(Series.Flat(9, 1.0, wobble: 0)).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_ExactlyTwentyPointsDiverging_ReportsWarning()
    {
        using var run = await new TestRun().Losses(Series.Flat(10, 0.1, wobble: 0)).Losses([double.NaN]).Losses(Series.Flat(10, 1.0, wobble: 0)).SettledAsync();

        var finding = new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Message.Should().Contain("10x").And.Contain("(0.1 at steps 1-10)");
    }

    [Fact]
    public async Task Evaluate_NonPositiveBestWindow_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Flat(10, -1.0, wobble: 0)).Losses([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }
}
