namespace TrainInsight.LoadTests.Server;

/// <summary>The SSE server under test inside the server process, as the server role drives and measures it.</summary>
internal interface ILoadTarget : IAsyncDisposable
{
    /// <summary>Gets the port of <c>GET /api/stream/metrics</c> on 127.0.0.1.</summary>
    int Port { get; }

    /// <summary>Gets the number of open SSE streams.</summary>
    int Subscribers { get; }

    /// <summary>Gets the events dropped so far before any subscriber saw them, and the deliveries dropped for slow subscribers.</summary>
    (long AtIngest, long AtSubscribers) Dropped { get; }

    /// <summary>Publishes training step <paramref name="step"/> with a fresh <c>publish_ticks</c>; false when refused.</summary>
    bool Publish(long step);

    /// <summary>Waits (up to a few seconds) until every published event was handed to every subscriber.</summary>
    Task WaitForDispatchAsync();
}
