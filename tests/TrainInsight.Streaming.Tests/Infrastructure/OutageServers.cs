using Microsoft.Extensions.DependencyInjection;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>The servers of the "dashboard reconnects after an outage" scenarios, shared by the SSE and WebSocket tests.</summary>
internal static class OutageServers
{
    /// <summary>The outage publishes five times what the ring holds; the store (flushed every 20 ms) holds everything.</summary>
    public static Task<StreamingTestServer> RingTooSmallAsync() => StreamingTestServer.StartAsync(o => o.ClientQueueCapacity = 1_000_000, o =>
    {
        o.HistoryCapacity = 2_000;
        o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
    });

    /// <summary>The store keeps 3,000 events and the ring 1,000, while the outage publishes 10,000.</summary>
    public static Task<StreamingTestServer> StoreTooSmallAsync() => StreamingTestServer.StartAsync(
        o => o.ClientQueueCapacity = 1_000_000,
        o =>
        {
            o.HistoryCapacity = 1_000;
            o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
        },
        configureServices: services => services.AddSingleton<IMetricStore>(new InMemoryMetricStore(maxEvents: 3_000)));

    /// <summary>A ring of <paramref name="ring"/> events and a store of <paramref name="store"/>, flushed every 20 ms.</summary>
    public static Task<StreamingTestServer> SmallRingAndStoreAsync(int ring, int store) => StreamingTestServer.StartAsync(
        configureBus: o =>
        {
            o.HistoryCapacity = ring;
            o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);
        },
        configureServices: services => services.AddSingleton<IMetricStore>(new InMemoryMetricStore(maxEvents: store)));
}
