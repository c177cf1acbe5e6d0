using Microsoft.Extensions.DependencyInjection;
using TorchSharp;
using TrainInsight.Torch.Vision;

namespace TrainInsight.Torch.Tests.DependencyInjection;

public sealed class TorchTrainInsightBuilderExtensionsTests
{
    [Fact]
    public void AddTorch_Configure_RegistersMonitorAndConfiguredOptions()
    {
        var services = new ServiceCollection();

        var builder = services.AddTrainInsight().AddTorch(o => o.MetricsInterval = 3);

        builder.Services.Should().BeSameAs(services);
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<TorchMonitorOptions>().MetricsInterval.Should().Be(3);
        provider.GetRequiredService<TrainingMonitor>().Should().BeSameAs(provider.GetRequiredService<TrainingMonitor>());
    }

    [Fact]
    public void AddTorch_CalledTwice_RegistersOnceAndAppliesBothConfigurations()
    {
        var services = new ServiceCollection();

        services.AddTrainInsight().AddTorch(o => o.MetricsInterval = 3).AddTorch(o => o.GradientNorm = true);
        services.AddTrainInsight().AddTorch();

        services.Count(d => d.ServiceType == typeof(TorchMonitorOptions)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(TrainingMonitor)).Should().Be(1);
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<TorchMonitorOptions>();
        options.MetricsInterval.Should().Be(3);
        options.GradientNorm.Should().BeTrue();
    }

    [Fact]
    public void AddTorch_InvalidSetting_ThrowsFromConfigure()
    {
        var act = () => new ServiceCollection().AddTrainInsight().AddTorch(o => o.MetricsInterval = 0);

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void AddTorch_NullBuilder_Throws()
    {
        var act = () => TorchTrainInsightBuilderExtensions.AddTorch(null!);

        act.Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    [Fact]
    public async Task AddTorch_ResolvedMonitor_PublishesToTheRegisteredBusAndObeysTheRegisteredControl()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight().AddTorch(o => o.MetricsInterval = 1);
        using var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<ITelemetryBus>();
        var control = provider.GetRequiredService<ITrainingControl>();
        using var recorder = new EventRecorder(bus);
        using var model = new SmallCnn();
        using var optimizer = torch.optim.Adam(model.parameters());

        using (var session = provider.GetRequiredService<TrainingMonitor>().Attach(model, optimizer, TrainingHarness.NewRun()))
        {
            control.ActiveRuns.Should().Equal(session.Run.Id);
            control.Submit(ControlAction.Stop);
            session.WaitForStepBoundary().Should().BeFalse();
            session.Complete();
        }

        var events = await recorder.WaitForRunFinishedAsync();
        events.OfType<TrainingEvent>().Select(e => e.Kind).Should().Equal(
            TrainingEventKind.RunStarted, TrainingEventKind.ControlApplied, TrainingEventKind.RunFinished);
        events[^1].Should().BeOfType<TrainingEvent>().Which.State.Should().Be(RunState.Stopped);
    }
}
