using TrainInsight.Proposals.Tests.Infrastructure;

namespace TrainInsight.Proposals.Tests.Engine;

public sealed class OutcomeTests
{
    private static double[] Flat(int count, double value) => [.. Enumerable.Repeat(value, count)];

    /// <summary>Approves a new learning rate; the next step (with <paramref name="boundaryLoss"/>) ends at the boundary that applies it.</summary>
    private static async Task<ProposalEvent> ApplyAsync(Harness h, double rate, double boundaryLoss)
    {
        var proposal = await h.Manager.ProposeAsync(h.LearningRate(rate));
        await h.Manager.ApproveAsync(proposal.ProposalId, "alice");
        await h.TrainAsync(boundaryLoss);
        return proposal;
    }

    [Fact]
    public async Task Applied_LossDropsAfter_IsHelpedWithTheNumbers()
    {
        await using var h = new Harness(new ProposalOptions { OutcomeWindow = 10 });
        await h.TrainAsync(Flat(9, 1.0));
        var proposal = await ApplyAsync(h, 0.001, 1.0);
        await h.TrainAsync(Flat(10, 0.6));

        var measured = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.Outcome is not null, "the after window fills");
        var outcome = measured.Outcome!;
        outcome.Verdict.Should().Be(ProposalVerdict.Helped);
        outcome.Before.Should().Be(1.0);
        outcome.After.Should().Be(0.6);
        outcome.Expected.Should().Be(1.0, "a flat trend predicts no change");
        outcome.Change.Should().BeApproximately(-0.4, 1e-12);
        outcome.BeforeCount.Should().Be(10);
        outcome.AfterCount.Should().Be(10);
        outcome.FromStep.Should().Be(1);
        outcome.ToStep.Should().Be(20);
        outcome.Message.Should().Be("train_loss: median 1 over 10 updates before (steps 1–10), 0.6 over 10 updates after (steps 11–20); the trend before was flat, so it predicted no change; change −40 % against it: helped (at least 5 % better than the trend).");
        measured.State.Should().Be(ProposalState.Applied);
        (await h.Manager.ListAsync(new ProposalQuery { State = ProposalState.Pending })).Should().BeEmpty("nothing hurt, so no revert");
    }

    [Fact]
    public async Task Applied_LossFallingAnyway_IsNoEffectAgainstTheTrend()
    {
        await using var h = new Harness(new ProposalOptions { OutcomeWindow = 10 });
        await h.TrainAsync([.. Enumerable.Range(0, 9).Select(i => 1.0 - (0.01 * i))]);
        var proposal = await ApplyAsync(h, 0.005, 0.91);
        await h.TrainAsync([.. Enumerable.Range(10, 10).Select(i => 1.0 - (0.01 * i))]);

        var outcome = (await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.Outcome is not null, "measured")).Outcome!;
        outcome.Verdict.Should().Be(ProposalVerdict.NoEffect, "the loss kept falling at the rate it fell before");
        outcome.Expected.Should().BeLessThan(outcome.Before);
        outcome.Change.Should().BeInRange(-0.05, 0.05);
    }

    [Fact]
    public async Task Applied_Harmful_IsHurt_AndARevertIsProposedThatRestoresTheCheckpointAndTheRate()
    {
        await using var h = new Harness(new ProposalOptions { OutcomeWindow = 10 });
        await h.TrainAsync(Flat(9, 0.5));
        var proposal = await ApplyAsync(h, 1.0, 0.5);
        await h.TrainAsync(Flat(10, 2.5));

        var measured = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.Outcome is not null, "measured");
        measured.Outcome!.Verdict.Should().Be(ProposalVerdict.Hurt);
        measured.Outcome.Change.Should().BeApproximately(4.0, 1e-12);
        var revert = (await Poll.UntilAsync(() => h.Manager.ListAsync(new ProposalQuery { State = ProposalState.Pending }), p => p.Count == 1, "a revert is proposed"))[0];
        revert.Source.Should().Be(ProposalSource.Revert);
        revert.RevertOf.Should().Be(proposal.ProposalId);
        revert.Commands.Select(c => (c.Action, c.Value, c.Path)).Should().Equal(
            (ControlAction.RestoreCheckpoint, null, measured.CheckpointPath),
            (ControlAction.SetLearningRate, 0.01, null));
        revert.Title.Should().Be($"Revert {proposal.ProposalId}: restore the checkpoint saved at step 10 and the previous settings");
        revert.Rationale.Should().Contain("hurt").And.Contain("0.5").And.Contain("2.5");
        h.Manager.RevertsProposed.Should().Be(1);

        // The revert goes through the same approval path, and without a checkpoint of its own (it restores one).
        await h.Manager.ApproveAsync(revert.ProposalId, "alice");
        await h.TrainAsync(0.5);
        h.Trainer.Handled.Skip(2).Select(c => (c.Action, c.Path)).Should().Equal((ControlAction.RestoreCheckpoint, measured.CheckpointPath), (ControlAction.SetLearningRate, null));
        h.Trainer.LearningRate.Should().Be(0.01);
    }

    [Fact]
    public async Task Applied_LossBecomesNaN_IsHurtAtOnce()
    {
        await using var h = new Harness(new ProposalOptions { OutcomeWindow = 10 });
        await h.TrainAsync(Flat(9, 0.5));
        var proposal = await ApplyAsync(h, 5.0, 0.5);
        await h.TrainAsync(0.5, 0.9, double.NaN);

        var outcome = (await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.Outcome is not null, "measured")).Outcome!;
        outcome.Verdict.Should().Be(ProposalVerdict.Hurt);
        double.IsNaN(outcome.After).Should().BeTrue();
        outcome.Message.Should().Be("train_loss became NaN at step 13, 3 update(s) after the change (median 0.5 over the 10 updates before, steps 1–10): hurt.");
    }

    [Fact]
    public async Task Applied_NoCheckpointFolder_IsAppliedButSaysItCannotBeReverted()
    {
        await using var h = new Harness(new ProposalOptions { OutcomeWindow = 5 });
        h.Trainer.NoCheckpoints = true;
        await h.TrainAsync(Flat(4, 0.5));
        var proposal = await ApplyAsync(h, 1.0, 0.5);
        await h.TrainAsync(Flat(5, 3.0));

        var measured = await Poll.UntilAsync(() => h.LatestAsync(proposal.ProposalId), p => p.Outcome is not null, "measured");
        measured.Outcome!.Verdict.Should().Be(ProposalVerdict.Hurt);
        measured.CheckpointPath.Should().BeNull();
        var applied = (await h.Manager.GetHistoryAsync(proposal.ProposalId)).Single(r => r.State == ProposalState.Applied && r.Outcome is null);
        applied.Reason.Should().Be("No checkpoint was saved before applying it (Checkpoints are off for this run.), so it cannot be reverted.");
        await h.SettleAsync();
        (await h.Manager.ListAsync(new ProposalQuery { State = ProposalState.Pending })).Should().BeEmpty("there is no checkpoint to go back to");
    }

    [Fact]
    public async Task RunEndsEarly_MeasuresAPartialWindow_OrSaysWhyNot()
    {
        await using var h = new Harness(new ProposalOptions { OutcomeWindow = 20, MinOutcomeUpdates = 3 });
        await h.TrainAsync(Flat(19, 1.0));
        var partial = await ApplyAsync(h, 0.001, 1.0);
        await h.TrainAsync(0.5, 0.5, 0.5);
        h.Trainer.Finish();

        var measured = await Poll.UntilAsync(() => h.LatestAsync(partial.ProposalId), p => p.Outcome is not null, "measured at the end");
        measured.Outcome!.AfterCount.Should().Be(3);
        measured.Outcome.Verdict.Should().Be(ProposalVerdict.Helped);
    }

    [Fact]
    public async Task TooFewUpdatesBefore_IsAppliedButNotMeasured()
    {
        await using var h = new Harness(new ProposalOptions { MinOutcomeUpdates = 5 });
        await h.TrainAsync(1.0);
        var proposal = await ApplyAsync(h, 0.001, 1.0);
        await h.TrainAsync(Flat(25, 0.5));

        var applied = await h.LatestAsync(proposal.ProposalId);
        applied.State.Should().Be(ProposalState.Applied);
        applied.Outcome.Should().BeNull();
        applied.Reason.Should().Be("The outcome is not measured: only 2 update(s) of train_loss came before it (at least 5 are needed).");
    }
}
