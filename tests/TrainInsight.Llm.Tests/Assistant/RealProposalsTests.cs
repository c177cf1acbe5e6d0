using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Assistant;

/// <summary>The assistant over the real proposal service (TrainInsight.Proposals), wired by DI.</summary>
public class RealProposalsTests
{
    [Fact]
    public async Task ChatStreamingAsync_NoModelPauseTheTraining_PendingUntilApprovedThenQueued()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddProposals().AddLlm();
        await using var provider = services.BuildServiceProvider(validateScopes: true);
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var h in hosted)
        {
            await h.StartAsync(CancellationToken.None);
        }

        var control = provider.GetRequiredService<ITrainingControl>();
        var run = await new TestRun(bus: provider.GetRequiredService<ITelemetryBus>()).Started().Losses([1.0, 0.5], extra: v => v[MetricNames.LearningRate] = 0.01).SettledAsync();
        using var receiver = control.Attach(run.Id);
        var assistant = provider.GetRequiredService<TrainingAssistant>();

        var answer = await ChatCommandTests.ChatAsync(assistant, run.Id, "pause the training");

        assistant.HasProposals.Should().BeTrue();
        var proposal = answer.Proposals.Should().ContainSingle().Subject;
        proposal.State.Should().Be(ProposalState.Pending);
        proposal.Source.Should().Be(ProposalSource.Command);
        proposal.Commands.Single().Action.Should().Be(ControlAction.Pause);
        answer.Text.Should().Contain(proposal.ProposalId);
        receiver.TryTake(out _).Should().BeFalse("nothing is paused before a person approves");

        var proposals = provider.GetRequiredService<IProposalService>();
        await proposals.ApproveAsync(proposal.ProposalId, "alice");

        receiver.TryTake(out var command).Should().BeTrue();
        command!.Action.Should().Be(ControlAction.Pause);
        foreach (var h in Enumerable.Reverse(hosted))
        {
            await h.StopAsync(CancellationToken.None);
        }
    }
}
