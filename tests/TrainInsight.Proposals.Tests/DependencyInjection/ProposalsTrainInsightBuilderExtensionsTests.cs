using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.Proposals.Tests.DependencyInjection;

public sealed class ProposalsTrainInsightBuilderExtensionsTests
{
    [Fact]
    public async Task AddProposals_HostStartsTheManager_AndAFindingBecomesAProposal()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTrainInsight().AddProposals(o => o.OutcomeWindow = 7).AddProposals(o => o.HurtMargin = 0.2);
        using var host = builder.Build();
        await host.StartAsync();

        var service = host.Services.GetRequiredService<IProposalService>();
        service.Should().BeSameAs(host.Services.GetRequiredService<ProposalManager>());
        var options = host.Services.GetRequiredService<ProposalOptions>();
        (options.OutcomeWindow, options.HurtMargin).Should().Be((7, 0.2));
        var bus = host.Services.GetRequiredService<ITelemetryBus>();
        var run = new RunDescriptor("di-run");
        bus.TryPublish(new FindingEvent(run, "f", FindingLabels.Plateau, FindingSeverity.Warning, FindingState.Open, "Flat for 200 steps.")
        {
            Fixes = [new SuggestedFix("decay", FixKind.LiveAction, "Decay", "Halve it.", [new FixCommand(ControlAction.SetLearningRate, 0.005)])],
        });
        await Poll.UntilAsync(() => service.ListAsync(new ProposalQuery { RunId = "di-run" }), p => p.Count == 1, "the hosted manager runs");
        await host.StopAsync();
    }
}
