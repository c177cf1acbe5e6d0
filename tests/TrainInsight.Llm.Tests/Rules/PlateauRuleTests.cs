using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Rules;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Rules;

public class PlateauRuleTests
{
    [Fact]
    public async Task Evaluate_FlatSecondHalf_ReportsInfo()
    {
        using var run = await new TestRun().Losses(Series.Decaying(20, start: 2.0, ratio: 0.9)).Losses(Series.Flat(20, value: 0.2)).SettledAsync();

        var finding = new PlateauRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []);

        finding.Should().NotBeNull();
        finding!.Code.Should().Be(FindingCodes.Plateau);
        finding.Severity.Should().Be(FindingSeverity.Info);
        finding.Message.Should().Contain("improved by 0.2% over the last 20 samples").And.Contain("steps 21-40");
    }

    [Fact]
    public async Task Evaluate_StillImproving_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Decaying(40, ratio: 0.99)).SettledAsync();

        new PlateauRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Evaluate_NoisyHealthyCurve_ReportsNothing(int seed)
    {
        // 2.3 -> 0.3 over 400 samples with 20% normal mini-batch noise: the quarter means (50 samples each) see through it.
        using var run = await new TestRun().Losses(Series.Noisy(400, seed)).SettledAsync();

        new PlateauRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_FewerThanTwentyPoints_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Flat(19)).SettledAsync();

        new PlateauRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().BeNull();
    }

    [Fact]
    public async Task Evaluate_ExactlyTwentyFlatPoints_ReportsInfo()
    {
        using var run = await new TestRun().Losses(Series.Flat(20)).SettledAsync();

        new PlateauRule().Evaluate(RunHistory.Read(run.Bus, run.Id), []).Should().NotBeNull();
    }

    [Fact]
    public async Task Evaluate_AlreadyDiverging_ReportsNothing()
    {
        using var run = await new TestRun().Losses(Series.Flat(30)).SettledAsync();
        var diverging = new Finding(FindingCodes.LossDiverging, FindingSeverity.Warning, "diverging");

        new PlateauRule().Evaluate(RunHistory.Read(run.Bus, run.Id), [diverging]).Should().BeNull();
    }
}
