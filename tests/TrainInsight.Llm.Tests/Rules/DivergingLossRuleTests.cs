using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Rules;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Rules;

public class DivergingLossRuleTests
{
    [Fact]
    public async Task Evaluate_RecentMeanAboveOneAndAHalfTimesMinimum_ReportsWarning()
    {
        // Falls to 0.5 at step 8, then climbs: the last 5 average 1.0 = 2x the minimum.
        using var run = await new TestRun().Losses([2.0, 1.6, 1.2, 1.0, 0.8, 0.7, 0.6, 0.5, 0.8, 0.9, 1.0, 1.1, 1.2]).SettledAsync();

        var finding = new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Code.Should().Be(FindingCodes.LossDiverging);
        finding.Severity.Should().Be(FindingSeverity.Warning);
        finding.Message.Should().Contain("(1)").And.Contain("2x the minimum").And.Contain("0.5 at step 8");
    }

    [Fact]
    public async Task Evaluate_RecentMeanJustBelowThreshold_ReportsNothing()
    {
        // Minimum 0.5; the last 5 average 0.74 < 0.75.
        using var run = await new TestRun().Losses([2.0, 1.6, 1.2, 1.0, 0.8, 0.5, 0.74, 0.74, 0.74, 0.74, 0.74]).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_DecreasingLoss_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Decaying(50)).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_TooFewPoints_ReportsNothing()
    {
        // Clearly rising, but only 9 finite samples (the NaN does not count).
        using var run = await new TestRun().Losses([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, double.NaN, 0.9]).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_NonPositiveMinimum_ReportsNothing()
    {
        using var run = await new TestRun().Losses([-1.0, -2.0, -3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).SettledAsync();

        new DivergingLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }
}
