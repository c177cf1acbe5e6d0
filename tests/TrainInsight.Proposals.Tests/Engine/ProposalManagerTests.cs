using TrainInsight.Proposals.Tests.Infrastructure;

namespace TrainInsight.Proposals.Tests.Engine;

public sealed class ProposalManagerTests
{
    [Fact]
    public async Task Finding_WithLiveFix_BecomesPendingRuleProposalAndNothingIsSubmitted()
    {
        await using var h = new Harness();
        await h.TrainAsync(0.9, 0.8);
        h.Bus.TryPublish(Harness.Finding(h.Trainer.Run, "run-1/divergence/1", FindingSeverity.Critical, new FixCommand(ControlAction.SetLearningRate, 0.001)));
        var proposals = await Poll.UntilAsync(() => h.Manager.ListAsync(new ProposalQuery { RunId = "run-1" }), p => p.Count == 1, "the finding becomes a proposal");

        var proposal = proposals[0];
        proposal.State.Should().Be(ProposalState.Pending);
        proposal.Source.Should().Be(ProposalSource.Rule);
        proposal.FindingId.Should().Be("run-1/divergence/1");
        proposal.FindingLabel.Should().Be(FindingLabels.Divergence);
        proposal.Title.Should().Be("Set the learning rate to 0.001 (now 0.01, ÷10)");
        proposal.Rationale.Should().Contain("0.5 to 4.2");
        proposal.TargetMetric.Should().Be(MetricNames.TrainLoss);
        await h.TrainAsync(0.7);
        h.Trainer.Handled.Should().BeEmpty("nothing is applied before a person approves");
        h.Trainer.LearningRate.Should().Be(0.01);
    }

    [Fact]
    public async Task Finding_InfoOrWithoutLiveFix_MakesNoProposal()
    {
        await using var h = new Harness();
        h.Bus.TryPublish(Harness.Finding(h.Trainer.Run, "f-info", FindingSeverity.Info, new FixCommand(ControlAction.Stop)));
        h.Bus.TryPublish(new FindingEvent(h.Trainer.Run, "f-code", FindingLabels.UnshuffledData, FindingSeverity.Warning, FindingState.Open, "Batches are sorted.")
        {
            Fixes = [new SuggestedFix("shuffle", FixKind.CodeChange, "Shuffle", "Use shuffle=true.")],
        });
        await h.SettleAsync();
        (await h.Manager.ListAsync(new ProposalQuery())).Should().BeEmpty();
    }

    [Fact]
    public async Task Approve_CheckpointsThenAppliesAtTheNextStepBoundary_AndRecordsWhatWasBefore()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0, 0.9);
        var proposal = await h.Manager.ProposeAsync(h.LearningRate(0.001));

        var approved = await h.Manager.ApproveAsync(proposal.ProposalId, "alice");
        approved.State.Should().Be(ProposalState.Approved);
        approved.Actor.Should().Be("alice");
        approved.CommandIds.Should().HaveCount(2, "a checkpoint goes first");
        h.Trainer.LearningRate.Should().Be(0.01, "commands wait for the step boundary");

        await h.TrainAsync(0.85);
        h.Trainer.Handled.Select(c => c.Action).Should().Equal(ControlAction.SaveCheckpoint, ControlAction.SetLearningRate);
        h.Trainer.Handled.Select(c => c.Id).Should().Equal(approved.CommandIds);
        h.Trainer.LearningRate.Should().Be(0.001);
        var applied = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.State == ProposalState.Applied, "the acknowledgement arrives");
        applied.AppliedStep.Should().Be(3);
        applied.CheckpointPath.Should().Be("/tmp/ckpt/step-3-1.pt");
        applied.PreviousValues.Should().Equal(new Dictionary<string, double> { [MetricNames.LearningRate] = 0.01 });
        applied.Actor.Should().Be("trainer");
        applied.Outcome.Should().BeNull("it is measured later");

        var history = await h.Manager.GetHistoryAsync(proposal.ProposalId);
        history.Select(r => (r.State, r.Revision)).Should().Equal((ProposalState.Pending, 1), (ProposalState.Approved, 2), (ProposalState.Applied, 3));
        history.Should().OnlyContain(r => r.CreatedAt == proposal.CreatedAt);
    }

    [Fact]
    public async Task Approve_TrainerRejects_FailsWithTheTrainersReason()
    {
        await using var h = new Harness();
        h.Trainer.RejectLearningRate = "This optimizer has no learning rate.";
        await h.TrainAsync(1.0);
        var proposal = await h.Manager.ProposeAsync(h.LearningRate(0.001));
        await h.Manager.ApproveAsync(proposal.ProposalId);
        await h.TrainAsync(1.0);

        var failed = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.State == ProposalState.Failed, "the rejection arrives");
        failed.Reason.Should().Be("The trainer rejected set_learning_rate: This optimizer has no learning rate.");
        failed.Actor.Should().Be("trainer");
    }

    [Fact]
    public async Task Approve_RunNotAttached_FailsAndSaysNothingWasQueued()
    {
        await using var h = new Harness(attach: false);
        var run = new RunDescriptor("tb-run");
        h.Bus.TryPublish(new MetricEvent(run, 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1 }));
        await Poll.UntilAsync(() => h.Manager.HasSeenRun("tb-run"), "the run is seen");
        var proposal = await h.Manager.ProposeAsync(new ProposalRequest("tb-run", [new FixCommand(ControlAction.Pause)], ProposalSource.External));

        var failed = await h.Manager.ApproveAsync(proposal.ProposalId, "bob");

        failed.State.Should().Be(ProposalState.Failed);
        failed.Reason.Should().Be("pause could not be queued: Run 'tb-run' is not active. Nothing was queued.");
    }

    [Fact]
    public async Task Reject_RecordsReason_AndADecidedProposalCannotBeDecidedAgain()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);
        var proposal = await h.Manager.ProposeAsync(h.LearningRate(0.001));

        var rejected = await h.Manager.RejectAsync(proposal.ProposalId, "The loss is fine.", "carol");

        rejected.State.Should().Be(ProposalState.Rejected);
        rejected.Reason.Should().Be("The loss is fine.");
        rejected.Actor.Should().Be("carol");
        var approve = () => h.Manager.ApproveAsync(proposal.ProposalId);
        (await approve.Should().ThrowAsync<ProposalStateException>()).Which.State.Should().Be(ProposalState.Rejected);
        await h.TrainAsync(1.0);
        h.Trainer.Handled.Should().BeEmpty();
    }

    [Fact]
    public async Task Operations_BadInput_ThrowTypedExceptions()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);

        await FluentActions.Awaiting(() => h.Manager.ApproveAsync("prop_missing")).Should().ThrowAsync<ProposalNotFoundException>();
        await FluentActions.Awaiting(() => h.Manager.ProposeAsync(new ProposalRequest("nope", [new FixCommand(ControlAction.Pause)], ProposalSource.External)))
            .Should().ThrowAsync<RunNotFoundException>();
        (await FluentActions.Awaiting(() => h.Manager.ProposeAsync(h.LearningRate(50))).Should().ThrowAsync<ArgumentException>())
            .Which.Message.Should().StartWith("Command 1: set_learning_rate needs a value greater than 0 and at most 10; got 50.");
        await FluentActions.Awaiting(() => h.Manager.ProposeAsync(new ProposalRequest("run-1", [new FixCommand(ControlAction.RestoreCheckpoint)], ProposalSource.External)))
            .Should().ThrowAsync<ArgumentException>().WithMessage("*restore_checkpoint needs the checkpoint's path*");
        await FluentActions.Awaiting(() => h.Manager.RejectAsync("prop_x", new string('x', 4_001))).Should().ThrowAsync<ArgumentException>();
    }

    [Fact]
    public async Task Propose_SameCommandsTwice_ReturnsThePendingOne_AndANewerRateSupersedesTheOlder()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);
        var first = await h.Manager.ProposeAsync(h.LearningRate(0.001));
        var again = await h.Manager.ProposeAsync(h.LearningRate(0.001, ProposalSource.Model));
        again.ProposalId.Should().Be(first.ProposalId);

        var newer = await h.Manager.ProposeAsync(h.LearningRate(0.005));

        var older = await h.LatestAsync(first.ProposalId);
        older.State.Should().Be(ProposalState.Expired);
        older.SupersededBy.Should().Be(newer.ProposalId);
        older.Reason.Should().Be($"Superseded by {newer.ProposalId}: Set the learning rate to 0.005 (now 0.01, ÷2).");
        (await h.Manager.ListAsync(new ProposalQuery { State = ProposalState.Pending })).Select(p => p.ProposalId).Should().Equal(newer.ProposalId);
    }

    [Fact]
    public async Task RunEnds_PendingExpire_AndNewProposalsAreRefused()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);
        var proposal = await h.Manager.ProposeAsync(new ProposalRequest("run-1", [new FixCommand(ControlAction.SaveCheckpoint)], ProposalSource.External));
        h.Trainer.Finish();
        var expired = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.State == ProposalState.Expired, "the run ends");
        expired.Reason.Should().Be("The run ended (completed) at step 1 before anybody decided.");

        await FluentActions.Awaiting(() => h.Manager.ProposeAsync(h.LearningRate(0.001))).Should().ThrowAsync<ProposalStateException>()
            .WithMessage("Run 'run-1' has ended; there is nothing left to steer.");
    }

    [Fact]
    public async Task FindingResolves_ItsPendingProposalExpires()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);
        h.Bus.TryPublish(Harness.Finding(h.Trainer.Run, "f1", FindingSeverity.Warning, new FixCommand(ControlAction.SetLearningRate, 0.005)));
        var proposal = (await Poll.UntilAsync(() => h.Manager.ListAsync(new ProposalQuery()), p => p.Count == 1, "proposed"))[0];
        h.Bus.TryPublish(Harness.Finding(h.Trainer.Run, "f1", FindingSeverity.Warning, new FixCommand(ControlAction.SetLearningRate, 0.005), FindingState.Resolved));

        var expired = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.State == ProposalState.Expired, "the finding resolves");
        expired.Reason.Should().Be("The finding it came from (divergence) resolved at step 10.");
    }

    [Fact]
    public async Task Revisions_AreStoredAsTheAuditTrail()
    {
        await using var h = new Harness();
        await h.TrainAsync(1.0);
        var proposal = await h.Manager.ProposeAsync(h.LearningRate(0.001));
        await h.Manager.RejectAsync(proposal.ProposalId, "no", "dave");

        var stored = await Poll.UntilAsync(() => h.Store.GetProposalHistoryAsync(proposal.ProposalId), r => r.Count == 2, "the store flushes");
        stored.Select(r => r.State).Should().Equal(ProposalState.Pending, ProposalState.Rejected);
        stored[1].Actor.Should().Be("dave");
    }
}
