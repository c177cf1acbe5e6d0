using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

/// <summary>Suggestions that can be applied live become pending proposals.</summary>
public class SuggestProposalTests
{
    private const string Valid =
        """
        {"summary":"Flat at 0.43.",
         "suggestions":[
           {"parameter":"learning_rate","current_value":0.01,"proposed_value":0.003,"rationale":"train_loss flat for 40 steps","expected_effect":"loss falls again within an epoch","priority":1,"confidence":0.7},
           {"parameter":"dropout","proposed_value":0.2,"rationale":"overfits","expected_effect":"smaller gap","priority":2,"confidence":0.4},
           {"parameter":"weight_decay","current_value":null,"proposed_value":0.0005,"rationale":"no regularisation","expected_effect":"smaller gap","priority":3,"confidence":0.4}]}
        """;

    [Fact]
    public async Task SuggestAsync_ModelSuggestions_LiveOnesBecomeModelProposalsOnceEach()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(30), extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        var proposals = new FakeProposalService();
        using var chat = FakeChatClient.Answering(Valid);
        var assistant = fixture.Assistant(chat, proposals: proposals);

        var answer = await assistant.SuggestAsync(new AssistantRequest(fixture.Run.Id));
        var again = await assistant.SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Model);
        answer.Suggestions.Should().HaveCount(3);
        answer.Proposals.Should().HaveCount(2, "dropout has no live command");
        answer.Proposals.Should().OnlyContain(p => p.Source == ProposalSource.Model && p.State == ProposalState.Pending && p.Actor == "assistant");
        var lr = answer.Proposals[0];
        lr.Commands.Single().Should().Match<FixCommand>(c => c.Action == ControlAction.SetLearningRate && c.Value == 0.003);
        lr.Title.Should().Be("Set the learning rate: 0.01 → 0.003");
        lr.Rationale.Should().Be("train_loss flat for 40 steps");
        lr.ExpectedEffect.Should().Be("loss falls again within an epoch");
        answer.Proposals[1].Commands.Single().Action.Should().Be(ControlAction.SetWeightDecay);
        answer.Text.Should().Contain($"Proposal {lr.ProposalId} (suggestion 1): pending approval; approve it with POST /api/proposals/{lr.ProposalId}/approve.");
        again.Proposals.Select(p => p.ProposalId).Should().Equal(answer.Proposals.Select(p => p.ProposalId), "identical pending proposals are not made twice");
    }

    [Fact]
    public async Task SuggestAsync_RulesFixOfAFinding_RuleProposalWithTheFinding()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses([.. Series.Decaying(20), double.NaN], extra: v => v[MetricNames.LearningRate] = 0.5).SettledAsync();
        var finding = new FindingEvent(fixture.Run.Run, "run-a/divergence/1", FindingLabels.Divergence, FindingSeverity.Critical, FindingState.Open, "train_loss became NaN at step 21.")
        {
            FirstStep = 21,
            Fixes = [new SuggestedFix("lower_learning_rate", FixKind.LiveAction, "Set the learning rate to 0.05 (0.5 × 0.1)", "A NaN loss at this rate means the steps overshoot.", [new FixCommand(ControlAction.SetLearningRate, 0.05)])],
        };
        await fixture.Run.Event(finding).SettledAsync();
        await Poll.UntilAsync(() => fixture.Store.GetFindingsAsync(new FindingQuery("run-a")), f => f.Count == 1, "the store has the finding", TestRun.Patience);
        var proposals = new FakeProposalService();

        var answer = await fixture.Assistant(proposals: proposals).SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Source.Should().Be(AssistantSource.Rules);
        var proposal = answer.Proposals.Should().ContainSingle().Subject;
        proposal.Source.Should().Be(ProposalSource.Rule);
        proposal.FindingId.Should().Be("run-a/divergence/1");
        proposal.FindingLabel.Should().Be(FindingLabels.Divergence);
        proposal.Title.Should().Be("Set the learning rate: 0.5 → 0.05");
        proposal.Rationale.Should().Be("train_loss became NaN at step 21. A NaN loss at this rate means the steps overshoot.");
    }

    [Fact]
    public async Task SuggestAsync_ServiceRefuses_NoticeSaysWhichAndWhy()
    {
        using var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(30), extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        var proposals = new FakeProposalService { Refuse = _ => new ProposalStateException("Run 'run-a' has completed.") };
        using var chat = FakeChatClient.Answering(Valid);
        var assistant = fixture.Assistant(chat, proposals: proposals);

        var answer = await assistant.SuggestAsync(new AssistantRequest(fixture.Run.Id));

        answer.Proposals.Should().BeEmpty();
        answer.Notice.Should().Be("Not proposed: suggestion 1 (learning_rate): Run 'run-a' has completed; suggestion 3 (weight_decay): Run 'run-a' has completed.");
        assistant.ProposalFailures.Should().Be(2);
    }
}
