using Microsoft.Extensions.DependencyInjection;
using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.DependencyInjection;

public class TrainInsightServiceCollectionExtensionsTests
{
    [Fact]
    public void AddTrainInsight_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();

        services.AddTrainInsight();
        services.AddTrainInsight();

        services.Count(d => d.ServiceType == typeof(ITelemetryBus)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(ITrainingControl)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(TrainInsightOptions)).Should().Be(1);
        services.Should().OnlyContain(d => d.Lifetime == ServiceLifetime.Singleton);
    }

    [Fact]
    public void AddTrainInsight_CalledTwiceWithConfigure_AppliesBothToTheOneOptions()
    {
        var services = new ServiceCollection();

        services.AddTrainInsight(o => o.HistoryCapacity = 5);
        services.AddTrainInsight(o => o.SubscriberCapacity = 7);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<TrainInsightOptions>();
        options.HistoryCapacity.Should().Be(5);
        options.SubscriberCapacity.Should().Be(7);
    }

    [Fact]
    public async Task AddTrainInsight_Resolved_ReturnsOneBusSingletonBuiltFromOptions()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight(o => o.HistoryCapacity = 2);
        using var provider = services.BuildServiceProvider();

        var bus = provider.GetRequiredService<ITelemetryBus>();
        provider.GetRequiredService<ITelemetryBus>().Should().BeSameAs(bus);
        provider.GetRequiredService<ITrainingControl>().Should().BeSameAs(provider.GetRequiredService<ITrainingControl>());

        var run = new RunDescriptor("run-a");
        for (var i = 0; i < 3; i++)
        {
            bus.TryPublish(Metric(run, i));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 3, "3 events were dispatched");
        bus.GetHistory().Select(e => e.Offset).Should().Equal(2, 3);
    }

    [Fact]
    public void AddTrainInsight_ProviderDisposed_DisposesBus()
    {
        var services = new ServiceCollection();
        services.AddTrainInsight();
        var provider = services.BuildServiceProvider();
        var bus = provider.GetRequiredService<ITelemetryBus>();

        provider.Dispose();

        bus.TryPublish(Metric(new RunDescriptor("run-a"), 0)).Should().BeFalse();
    }

    [Fact]
    public void AddTrainInsight_Always_ReturnsBuilderOverSameServices()
    {
        var services = new ServiceCollection();

        var builder = services.AddTrainInsight();

        builder.Should().NotBeNull();
        builder.Services.Should().BeSameAs(services);
        services.AddTrainInsight().Services.Should().BeSameAs(services);
    }

    [Fact]
    public void AddTrainInsight_InvalidSetting_Throws()
    {
        var services = new ServiceCollection();

        services.Invoking(s => s.AddTrainInsight(o => o.IngestCapacity = 1)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void AddTrainInsight_NullServices_ThrowsArgumentNullException()
    {
        var add = () => TrainInsightServiceCollectionExtensions.AddTrainInsight(null!);

        add.Should().Throw<ArgumentNullException>().WithParameterName("services");
    }
}
