using TrainInsight.Proposals.Tests.Infrastructure;

namespace TrainInsight.Proposals.Tests.Engine;

public sealed class AutoApplyTests
{
    private static async Task<ProposalEvent> FindingAsync(Harness h, string id, params FixCommand[] fix)
    {
        h.Bus.TryPublish(new FindingEvent(h.Trainer.Run, id, FindingLabels.Divergence, FindingSeverity.Critical, FindingState.Open, "The loss rose 8×.")
        {
            Fixes = [new SuggestedFix("fix", FixKind.LiveAction, "Fix", "Because.", fix)],
        });
        return await Poll.UntilAsync(async () => (await h.Manager.ListAsync(new ProposalQuery())).FirstOrDefault(p => p.FindingId == id)!, p => p is not null, "proposed");
    }

    [Fact]
    public async Task Default_NothingAppliesItself()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);
        var proposal = await FindingAsync(h, "f1", new FixCommand(ControlAction.SetLearningRate, 0.005));
        await h.TrainAsync(1.0);
        (await h.LatestAsync(proposal.ProposalId)).State.Should().Be(ProposalState.Pending);
        h.Trainer.Handled.Should().BeEmpty();
    }

    [Fact]
    public async Task LowerLearningRate_WithinBound_IsAppliedAndAuditedAsAutoApplied()
    {
        await using var h = new Harness(new ProposalOptions { AutoApply = AutoApplyActions.LowerLearningRate });
        await h.TrainAsync(1.0);
        var proposal = await FindingAsync(h, "f1", new FixCommand(ControlAction.SetLearningRate, 0.001));
        await h.TrainAsync(1.0);

        h.Trainer.LearningRate.Should().Be(0.001);
        var history = await h.Manager.GetHistoryAsync(proposal.ProposalId);
        var approved = history.Single(r => r.State == ProposalState.Approved);
        approved.AutoApplied.Should().BeTrue();
        approved.Actor.Should().Be("auto-apply");
        approved.Reason.Should().Be("Applied by the auto-apply policy (LowerLearningRate: 0.01 → 0.001, at most ÷10; 1 of 3 for this run).");
    }

    [Theory]
    [InlineData(0.0005)] // ÷20: beyond the bound
    [InlineData(0.02)] // a raise
    public async Task LowerLearningRate_OutOfBound_StaysPending(double rate)
    {
        await using var h = new Harness(new ProposalOptions { AutoApply = AutoApplyActions.LowerLearningRate });
        await h.TrainAsync(1.0);
        var proposal = await FindingAsync(h, "f1", new FixCommand(ControlAction.SetLearningRate, rate));
        await h.TrainAsync(1.0);
        (await h.LatestAsync(proposal.ProposalId)).State.Should().Be(ProposalState.Pending);
        h.Trainer.LearningRate.Should().Be(0.01);
    }

    [Theory]
    [InlineData(ProposalSource.Model)]
    [InlineData(ProposalSource.Command)]
    [InlineData(ProposalSource.External)]
    public async Task NonRuleSources_NeverApplyThemselves(ProposalSource source)
    {
        await using var h = new Harness(new ProposalOptions { AutoApply = AutoApplyActions.LowerLearningRate | AutoApplyActions.SaveCheckpoint | AutoApplyActions.StopOnNonFiniteLoss });
        await h.TrainAsync(1.0);
        var proposal = await h.Manager.ProposeAsync(h.LearningRate(0.005, source));
        proposal.State.Should().Be(ProposalState.Pending);
        await h.TrainAsync(1.0);
        h.Trainer.Handled.Should().BeEmpty();
    }

    [Fact]
    public async Task Limit_PerRun_IsHonoured()
    {
        await using var h = new Harness(new ProposalOptions { AutoApply = AutoApplyActions.SaveCheckpoint, AutoApplyLimitPerRun = 2 });
        await h.TrainAsync(1.0);
        var states = new List<ProposalState>();
        for (var i = 0; i < 3; i++)
        {
            var proposal = await FindingAsync(h, $"f{i}", new FixCommand(ControlAction.SaveCheckpoint));
            await h.TrainAsync(1.0);
            states.Add((await h.LatestAsync(proposal.ProposalId)).State);
        }

        states.Should().Equal(ProposalState.Applied, ProposalState.Applied, ProposalState.Pending);
    }

    [Fact]
    public async Task StopOnNonFiniteLoss_OnlyWhileTheLossIsNotFinite()
    {
        await using var h = new Harness(new ProposalOptions { AutoApply = AutoApplyActions.StopOnNonFiniteLoss });
        await h.TrainAsync(1.0);
        var finite = await FindingAsync(h, "f-finite", new FixCommand(ControlAction.Stop));
        (await h.LatestAsync(finite.ProposalId)).State.Should().Be(ProposalState.Pending);
        await h.Manager.RejectAsync(finite.ProposalId);

        await h.TrainAsync(double.NaN);
        var nan = await FindingAsync(h, "f-nan", new FixCommand(ControlAction.Stop));
        await h.TrainAsync(double.NaN);
        (await h.LatestAsync(nan.ProposalId)).State.Should().Be(ProposalState.Applied);
        h.Trainer.Handled.Select(c => c.Action).Should().Equal(ControlAction.Stop);
    }
}
