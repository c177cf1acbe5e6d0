using TrainInsight.Proposals.Internal;

namespace TrainInsight.Proposals.Tests.Internal;

public sealed class OutcomeMeterTests
{
    private static List<(long, double)> Series(long first, params double[] values) => [.. values.Select((v, i) => (first + i, v))];

    [Fact]
    public void Measure_ImprovingTrend_IsProjectedButNotPastTheRangeSeen()
    {
        // Falls 0.1 per update: the projection over (4 + 4) / 2 = 4 updates would be 0.4, but the window only fell 0.3.
        var outcome = OutcomeMeter.Measure("train_loss", Series(1, 1.0, 0.9, 0.8, 0.7), Series(6, 0.6, 0.6, 0.6, 0.6), 0.05, 0.1);
        outcome.Before.Should().BeApproximately(0.85, 1e-12);
        outcome.Expected.Should().BeApproximately(0.55, 1e-12);
        outcome.Change.Should().BeApproximately((0.6 - 0.55) / 0.85, 1e-12);
        outcome.Verdict.Should().Be(ProposalVerdict.NoEffect);
    }

    [Fact]
    public void Measure_WorseningTrend_ComparesWithTheLevelReached_NotAnExtrapolation()
    {
        // Healthy at first, then diverging: the reference is the median of the last 3 (3.0, 4.0, 5.0), not the window's 1.0.
        var outcome = OutcomeMeter.Measure("train_loss", Series(1, 1, 1, 1, 1, 1, 1, 3, 4, 5), Series(11, 4, 4, 4), 0.05, 0.1);
        outcome.Before.Should().Be(1);
        outcome.Expected.Should().Be(4);
        outcome.Verdict.Should().Be(ProposalVerdict.NoEffect, "the loss stayed where the divergence had taken it");
        outcome.Message.Should().Contain("it was worsening and had reached 4");
    }

    [Theory]
    [InlineData(0.94, ProposalVerdict.Helped)]
    [InlineData(0.96, ProposalVerdict.NoEffect)]
    [InlineData(1.09, ProposalVerdict.NoEffect)]
    [InlineData(1.10, ProposalVerdict.Hurt)]
    public void Measure_Margins_DecideTheVerdict(double after, ProposalVerdict expected)
    {
        var outcome = OutcomeMeter.Measure("val_loss", Series(1, 1, 1, 1), Series(5, after, after, after), 0.05, 0.1);
        outcome.Verdict.Should().Be(expected);
        outcome.Metric.Should().Be("val_loss");
    }

    [Fact]
    public void Median_EvenCount_AveragesTheMiddle() => OutcomeMeter.Median([4, 1, 3, 2]).Should().Be(2.5);
}
