using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

/// <summary>Chat messages that ask to steer the run, read by the fixed grammar (no model, or the model failed).</summary>
public class ChatCommandTests
{
    [Fact]
    public async Task ChatStreamingAsync_NoModelPauseTheTraining_OnePendingPauseProposalAndNothingSubmitted()
    {
        using var fixture = await RunAsync();
        var control = TrainingControl.Create();
        using var receiver = control.Attach(fixture.Run.Id);
        var proposals = new FakeProposalService(control);

        var answer = await ChatAsync(fixture.Assistant(proposals: proposals), fixture.Run.Id, "pause the training");

        answer.Source.Should().Be(AssistantSource.Rules);
        var proposal = answer.Proposals.Should().ContainSingle().Subject;
        proposal.State.Should().Be(ProposalState.Pending);
        proposal.Source.Should().Be(ProposalSource.Command);
        proposal.Actor.Should().Be("assistant");
        proposal.Commands.Should().ContainSingle().Which.Action.Should().Be(ControlAction.Pause);
        answer.Text.Should().StartWith("I made 1 proposal for run \"Test run\". Each waits for a person to approve it (POST /api/proposals/{id}/approve); nothing changes in training until then:")
            .And.Contain($"1. {proposal.ProposalId}: pause the run (pending approval)");
        answer.Notice.Should().StartWith("No IChatClient is registered, so the assistant's fixed grammar read the message as commands");
        receiver.TryTake(out _).Should().BeFalse("a proposal submits nothing before a person approves it");

        await proposals.ApproveAsync(proposal.ProposalId, "alice");

        receiver.TryTake(out var command).Should().BeTrue();
        command!.Action.Should().Be(ControlAction.Pause);
    }

    [Fact]
    public async Task ChatStreamingAsync_CompoundEnglish_OneProposalPerClauseInOrderWithTheNumbers()
    {
        using var fixture = await RunAsync();
        var proposals = new FakeProposalService();

        var answer = await ChatAsync(fixture.Assistant(proposals: proposals), fixture.Run.Id, "save a checkpoint and halve the learning rate, then stop");

        answer.Proposals.Select(p => p.Commands.Single().Action).Should().Equal(ControlAction.SaveCheckpoint, ControlAction.SetLearningRate, ControlAction.Stop);
        answer.Proposals[1].Commands.Single().Value.Should().Be(0.005);
        answer.Proposals[1].Title.Should().Be("Set the learning rate: 0.01 → 0.005 (÷ 2)");
        answer.Proposals[1].Rationale.Should().Be("Asked for in a chat message: \"halve the learning rate\".");
        answer.Text.Should().StartWith("I made 3 proposals for run \"Test run\".")
            .And.Contain($"1. {answer.Proposals[0].ProposalId}: save a checkpoint (pending approval)")
            .And.Contain($"2. {answer.Proposals[1].ProposalId}: set the learning rate: 0.01 → 0.005 (÷ 2) (pending approval)")
            .And.Contain($"3. {answer.Proposals[2].ProposalId}: stop the run (pending approval)")
            .And.NotContain("Not understood");
    }

    [Fact]
    public async Task ChatStreamingAsync_CompoundChinese_AnswersInChineseWithTheNumbers()
    {
        using var fixture = await RunAsync();
        var proposals = new FakeProposalService();

        var answer = await ChatAsync(fixture.Assistant(proposals: proposals), fixture.Run.Id, "先保存检查点，再把学习率降低10倍");

        answer.Language.Should().Be("zh");
        answer.Proposals.Select(p => p.Commands.Single().Action).Should().Equal(ControlAction.SaveCheckpoint, ControlAction.SetLearningRate);
        answer.Proposals[1].Commands.Single().Value.Should().Be(0.001);
        answer.Text.Should().StartWith("已为运行 \"Test run\" 提出 2 个提案。每个提案都要等人批准（POST /api/proposals/{id}/approve）后才会生效")
            .And.Contain($"1. {answer.Proposals[0].ProposalId}：保存检查点（等待批准）")
            .And.Contain($"2. {answer.Proposals[1].ProposalId}：调整学习率：0.01 → 0.001 (÷ 10)（等待批准）");
    }

    [Fact]
    public async Task ChatStreamingAsync_ScaleWithUnknownLearningRateAndAnUnknownPart_ProposesTheRestAndSaysWhy()
    {
        using var fixture = new AssistantFixture("run-b", new RunDescriptor("run-b") { Name = "bare" });
        await fixture.Run.Losses(Series.Decaying(5)).SettledAsync();
        var proposals = new FakeProposalService();

        var answer = await ChatAsync(fixture.Assistant(proposals: proposals), "run-b", "halve the learning rate and make it faster and pause");

        answer.Proposals.Should().ContainSingle().Which.Commands.Single().Action.Should().Be(ControlAction.Pause);
        proposals.Requests.Should().ContainSingle("nothing is proposed for a scale of an unknown learning rate");
        answer.Text.Should().Contain("Not proposed: the learning rate ÷ 2: the current learning rate is unknown (the run reported no learning_rate and has no learning_rate hyperparameter)")
            .And.Contain("Not understood: \"make it faster\".");
    }

    [Fact]
    public async Task ChatStreamingAsync_RefusedProposal_SaysWhyAndCountsIt()
    {
        using var fixture = await RunAsync();
        var proposals = new FakeProposalService { Refuse = _ => new ProposalStateException("Run 'run-a' has completed; there is nothing left to steer.") };
        var assistant = fixture.Assistant(proposals: proposals);

        var answer = await ChatAsync(assistant, fixture.Run.Id, "stop");

        answer.Proposals.Should().BeEmpty();
        answer.Text.Should().Contain("I made no proposal for run \"Test run\".")
            .And.EndWith("Not proposed: stop the run: Run 'run-a' has completed; there is nothing left to steer.");
        assistant.ProposalFailures.Should().Be(1);
    }

    [Fact]
    public async Task ChatStreamingAsync_NoProposalService_SaysProposalsAreNotEnabledAndWhatItUnderstood()
    {
        using var fixture = await RunAsync();

        var answer = await ChatAsync(fixture.Assistant(), fixture.Run.Id, "double the learning rate");

        answer.Proposals.Should().BeEmpty();
        answer.Text.Should().StartWith("Proposals are not enabled here (no IProposalService is registered, for example with AddProposals()), so nothing was proposed and run \"Test run\" is unchanged.")
            .And.Contain("What I understood: set the learning rate: 0.01 → 0.02 (× 2).");
    }

    [Fact]
    public async Task ChatStreamingAsync_Question_AnsweredAsBeforeWithoutProposals()
    {
        using var fixture = await RunAsync();
        var proposals = new FakeProposalService();

        var answer = await ChatAsync(fixture.Assistant(proposals: proposals), fixture.Run.Id, "Should I stop the training?");

        answer.Proposals.Should().BeEmpty();
        proposals.Requests.Should().BeEmpty();
        answer.Text.Should().StartWith("Run \"Test run\" (SmallCnn) is training at step 20");
    }

    [Fact]
    public async Task ChatStreamingAsync_ModelFails_GrammarProposes()
    {
        using var fixture = await RunAsync();
        var proposals = new FakeProposalService();
        using var chat = FakeChatClient.Streaming([], failAfter: new HttpRequestException("connection refused"));

        var answer = await ChatAsync(fixture.Assistant(chat, proposals: proposals), fixture.Run.Id, "evaluate now");

        answer.Source.Should().Be(AssistantSource.Rules);
        answer.Notice.Should().Contain("connection refused");
        answer.Proposals.Should().ContainSingle().Which.Commands.Single().Action.Should().Be(ControlAction.Evaluate);
    }

    internal static async Task<AssistantAnswer> ChatAsync(TrainingAssistant assistant, string runId, string message) =>
        (await assistant.ChatStreamingAsync(new AssistantChatRequest(runId, message)).ToListAsync())[^1].Answer!;

    private static async Task<AssistantFixture> RunAsync()
    {
        var fixture = new AssistantFixture();
        await fixture.Run.Losses(Series.Decaying(20), extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        return fixture;
    }
}
