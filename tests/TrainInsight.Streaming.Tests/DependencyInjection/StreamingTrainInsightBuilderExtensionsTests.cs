using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Internal;

namespace TrainInsight.Streaming.Tests.DependencyInjection;

public sealed class StreamingTrainInsightBuilderExtensionsTests
{
    [Fact]
    public void AddStreaming_CalledTwice_RegistersOnceAndAppliesEveryConfiguration()
    {
        var services = new ServiceCollection();

        var builder = services.AddTrainInsight();
        var returned = builder
            .AddStreaming(o => o.HeartbeatInterval = TimeSpan.FromSeconds(1))
            .AddStreaming(o => o.ClientQueueCapacity = 8);

        returned.Should().BeSameAs(builder);
        services.Count(d => d.ServiceType == typeof(StreamingOptions)).Should().Be(1);
        services.Count(d => d.ServiceType == typeof(StreamingMarker)).Should().Be(1);
        services.Should().NotContain(d => d.ServiceType == typeof(IStartupFilter), "the host owns its middleware pipeline (UseWebSockets)");
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<StreamingOptions>();
        options.HeartbeatInterval.Should().Be(TimeSpan.FromSeconds(1));
        options.ClientQueueCapacity.Should().Be(8);
    }

    [Fact]
    public void AddStreaming_InvalidSetting_Throws()
    {
        var builder = new ServiceCollection().AddTrainInsight();

        var add = () => builder.AddStreaming(o => o.MaxRequestBodyBytes = 1);

        add.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void AddStreaming_NullBuilder_ThrowsArgumentNullException()
    {
        var add = () => StreamingTrainInsightBuilderExtensions.AddStreaming(null!);

        add.Should().Throw<ArgumentNullException>();
    }
}
