namespace TrainInsight.Core.Tests.Proposals;

public sealed class ProposalStatisticsTests
{
    private static readonly RunDescriptor s_a = new("a");
    private static readonly RunDescriptor s_b = new("b");

    private static ProposalEvent P(RunDescriptor run, string id, ProposalState state, ProposalSource source, ControlAction action = ControlAction.SetLearningRate,
        ProposalVerdict? verdict = null, bool auto = false) =>
        new(run, id, state, source, [new FixCommand(action, action == ControlAction.SetLearningRate ? 0.001 : null)], "t")
        {
            AutoApplied = auto,
            Outcome = verdict is { } v ? new ProposalOutcome("train_loss", v, 1, 0.5, 1, -0.5, "m") : null,
        };

    [Fact]
    public void Compute_CountsEachStateAndRate()
    {
        var stats = ProposalStatistics.Compute(
        [
            P(s_a, "1", ProposalState.Applied, ProposalSource.Rule, verdict: ProposalVerdict.Helped),
            P(s_a, "2", ProposalState.Applied, ProposalSource.Rule, verdict: ProposalVerdict.Hurt, auto: true),
            P(s_a, "3", ProposalState.Rejected, ProposalSource.Model),
            P(s_b, "4", ProposalState.Pending, ProposalSource.Model, ControlAction.Pause),
            P(s_b, "5", ProposalState.Expired, ProposalSource.Command, ControlAction.Pause),
            P(s_b, "6", ProposalState.Failed, ProposalSource.External, ControlAction.Stop),
            P(s_b, "7", ProposalState.Applied, ProposalSource.Model),
        ]);

        var o = stats.Overall;
        (o.Proposed, o.Pending, o.Approved, o.AutoApplied, o.Rejected, o.Expired, o.Applied, o.Failed).Should().Be((7, 1, 4, 1, 1, 1, 3, 1));
        (o.Measured, o.Helped, o.NoEffect, o.Hurt).Should().Be((2, 1, 0, 1));
        o.AdoptionRate.Should().Be(3.0 / 5, "3 of the 5 settled proposals put to a person were approved");
        o.HelpedRate.Should().Be(0.5);
        stats.ByRun["a"].Proposed.Should().Be(3);
        stats.BySource[ProposalSource.Model].Proposed.Should().Be(3);
        stats.ByAction[ControlAction.Pause].Proposed.Should().Be(2);
        stats.ByAction.Should().NotContainKey(ControlAction.Evaluate);
    }

    [Fact]
    public void Compute_Empty_HasNoRates()
    {
        var stats = ProposalStatistics.Compute([]);
        stats.Overall.AdoptionRate.Should().BeNull();
        stats.Overall.HelpedRate.Should().BeNull();
    }

    [Fact]
    public void Compute_TwoRevisionsOfOneProposal_Throws() =>
        FluentActions.Invoking(() => ProposalStatistics.Compute([P(s_a, "1", ProposalState.Pending, ProposalSource.Rule), P(s_a, "1", ProposalState.Rejected, ProposalSource.Rule)]))
            .Should().Throw<ArgumentException>().WithMessage("*'1' was given twice*");
}
