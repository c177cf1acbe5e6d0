namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// Publishes train_loss events for one run in the background, in small batches with a short pause between them
/// (a few thousand events a second), the way a trainer keeps publishing whether or not anyone is listening.
/// </summary>
internal sealed class PacedPublisher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _publishing;

    private PacedPublisher(ITelemetryBus bus, RunDescriptor run, int batch, TimeSpan pause)
    {
        _publishing = Task.Run(async () =>
        {
            var step = 0L;
            while (!_stop.IsCancellationRequested)
            {
                for (var i = 0; i < batch; i++)
                {
                    bus.TryPublish(TestEvents.Loss(run, ++step)).Should().BeTrue();
                }

                try
                {
                    await Task.Delay(pause, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });
    }

    public static PacedPublisher Start(ITelemetryBus bus, RunDescriptor run, int batch = 32, TimeSpan? pause = null) =>
        new(bus, run, batch, pause ?? TimeSpan.FromMilliseconds(10));

    /// <summary>Stops publishing and waits for the last batch; rethrows what the publisher failed with.</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _publishing.WaitAsync(Eventually.DefaultTimeout).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _stop.Dispose();
        }
    }
}
