namespace TrainInsight.Proposals.Tests.Options;

public sealed class ProposalOptionsTests
{
    [Fact]
    public void Defaults_AreDocumented()
    {
        var o = new ProposalOptions();
        o.ProposeFindingFixes.Should().BeTrue();
        o.MinFindingSeverity.Should().Be(FindingSeverity.Warning);
        o.CheckpointBeforeApply.Should().BeTrue();
        o.OutcomeWindow.Should().Be(20);
        o.MinOutcomeUpdates.Should().Be(5);
        o.HelpedMargin.Should().Be(0.05);
        o.HurtMargin.Should().Be(0.10);
        o.ProposeReverts.Should().BeTrue();
        o.AutoApply.Should().Be(AutoApplyActions.None);
        o.AutoApplyMaxLearningRateFactor.Should().Be(10);
        o.AutoApplyLimitPerRun.Should().Be(3);
    }

    [Fact]
    public void Setters_BadValues_Throw()
    {
        var o = new ProposalOptions();
        FluentActions.Invoking(() => o.OutcomeWindow = 1).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.MinOutcomeUpdates = 1).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.HelpedMargin = double.NaN).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.HurtMargin = -0.1).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.AutoApply = (AutoApplyActions)64).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.AutoApplyMaxLearningRateFactor = 1).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.AutoApplyLimitPerRun = 0).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.MinFindingSeverity = (FindingSeverity)9).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.MaxProposalsInMemory = 99).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => o.SubscriberCapacity = 15).Should().Throw<ArgumentOutOfRangeException>();
    }
}
