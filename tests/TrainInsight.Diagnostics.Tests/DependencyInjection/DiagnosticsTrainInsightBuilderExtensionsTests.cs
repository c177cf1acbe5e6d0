using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.Diagnostics.Tests.DependencyInjection;

public class DiagnosticsTrainInsightBuilderExtensionsTests
{
    [Fact]
    public void AddDiagnostics_CalledTwice_OneEngineAndBothConfigurationsApplied()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddDiagnostics(o => o.ResolveAfterChecks = 7).AddDiagnostics(o => o.DisabledLabels.Add(FindingLabels.Plateau));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<DiagnosticsOptions>();
        options.ResolveAfterChecks.Should().Be(7);
        options.DisabledLabels.Should().Contain(FindingLabels.Plateau);
        provider.GetServices<IHostedService>().Should().ContainSingle();
        provider.GetRequiredService<DiagnosisEngine>().Should().BeSameAs(provider.GetRequiredService<DiagnosisEngine>());
    }

    [Fact]
    public async Task AddDiagnostics_HostStarted_FindingsArePublished()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddTrainInsight().AddDiagnostics();
        using var host = builder.Build();
        await host.StartAsync();
        var bus = host.Services.GetRequiredService<ITelemetryBus>();

        bus.TryPublish(new MetricEvent(new RunDescriptor("a"), 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = double.NaN }));

        await Poll.UntilAsync(() => bus.GetHistory().OfType<FindingEvent>().Any(), "the hosted engine published the finding");
        await host.StopAsync();
    }

    [Fact]
    public void AddDiagnostics_BadValue_ThrowsNamingTheProperty()
    {
        var services = new ServiceCollection();

        var act = () => services.AddTrainInsight().AddDiagnostics(o => o.Gradients.ExplodingNorm = 0);

        act.Should().Throw<ArgumentOutOfRangeException>().WithParameterName("ExplodingNorm");
    }
}
