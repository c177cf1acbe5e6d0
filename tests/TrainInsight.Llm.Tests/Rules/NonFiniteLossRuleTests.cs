using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Rules;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Rules;

public class NonFiniteLossRuleTests
{
    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public async Task Evaluate_NonFiniteLoss_ReportsCriticalWithFirstStepAndCount(double bad, string shown)
    {
        using var run = await new TestRun().Losses([1.0, 0.9, bad, 0.8, bad]).SettledAsync();

        var finding = new NonFiniteLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Code.Should().Be(FindingCodes.LossNotFinite);
        finding.Severity.Should().Be(FindingSeverity.Critical);
        finding.Message.Should().Contain($"was {shown} at step 3").And.Contain("2 of 5 samples");
    }

    [Fact]
    public async Task Evaluate_FiniteLoss_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Decaying(30)).SettledAsync();

        new NonFiniteLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_NonFiniteOtherMetric_ReportsNothing()
    {
        using var run = await new TestRun()
            .Losses([1.0, 0.9], extra: v => v[MetricNames.GradientNorm] = double.NaN)
            .SettledAsync();

        new NonFiniteLossRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }
}
