using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Rules;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Rules;

public class TrainingRulesTests
{
    [Fact]
    public async Task Evaluate_ImprovingRun_ReportsHealthyOnly()
    {
        using var run = await new TestRun().Losses(Series.Decaying(40)).SettledAsync();

        var findings = TrainingRules.Evaluate(RunHistory.Read(run.Bus, run.Id));

        findings.Should().ContainSingle().Which.Code.Should().Be(FindingCodes.Healthy);
        findings[0].Severity.Should().Be(FindingSeverity.Info);
        findings[0].Message.Should().Contain("40 train_loss samples");
    }

    [Fact]
    public async Task Evaluate_NoisyImprovingRun_ReportsHealthyOnly()
    {
        // 2.3 -> 0.3 over 400 samples with 20% normal mini-batch noise.
        using var run = await new TestRun().Losses(Series.Noisy(400, seed: 1)).SettledAsync();

        var findings = TrainingRules.Evaluate(RunHistory.Read(run.Bus, run.Id));

        findings.Should().ContainSingle().Which.Code.Should().Be(FindingCodes.Healthy);
    }

    [Fact]
    public async Task Evaluate_NoTrainLoss_ReportsNoData()
    {
        using var run = await new TestRun().Started().SettledAsync();

        var findings = TrainingRules.Evaluate(RunHistory.Read(run.Bus, run.Id));

        findings.Should().ContainSingle().Which.Code.Should().Be(FindingCodes.NoData);
    }

    [Fact]
    public async Task Evaluate_SeveralProblems_MostSevereFirstAndNoHealthy()
    {
        // Diverging (Warning: the last 10 average 1.45, 2.9x the best 10-sample mean of 0.5) and, later, a NaN (Critical).
        using var run = await new TestRun()
            .Losses([2.0, 1.0]).Losses(Series.Flat(10, 0.5, wobble: 0)).Losses([0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8, 2.0, 2.0, 2.1, double.NaN])
            .SettledAsync();

        var findings = TrainingRules.Evaluate(RunHistory.Read(run.Bus, run.Id));

        findings.Select(f => f.Code).Should().Equal(FindingCodes.LossNotFinite, FindingCodes.LossDiverging);
    }

    [Fact]
    public async Task Evaluate_DivergingAndFlat_ReportsDivergingWithoutPlateau()
    {
        // Falls to 0.2, stays there, and jumps to a flat 0.5: diverging, and the last half is also flat.
        using var run = await new TestRun().Losses([1.0, 0.5]).Losses(Series.Flat(10, value: 0.2)).Losses(Series.Flat(30)).SettledAsync();

        var findings = TrainingRules.Evaluate(RunHistory.Read(run.Bus, run.Id));

        findings.Select(f => f.Code).Should().Equal(FindingCodes.LossDiverging);
    }
}
