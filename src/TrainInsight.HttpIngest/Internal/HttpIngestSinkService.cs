using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.HttpIngest.Internal;

/// <summary>Starts the host's <see cref="HttpIngestSink"/> with the host, and flushes and stops it when the host stops.</summary>
internal sealed class HttpIngestSinkService(IServiceProvider services) : IHostedService
{
    private HttpIngestSink? _sink;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Created here, not when first asked for: it subscribes to the bus and starts sending at once.
        _sink = services.GetRequiredService<HttpIngestSink>();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Bounded by HttpIngestSinkOptions.DisposeTimeout: sends what the bus dispatched before, then stops.
        if (_sink is not null)
        {
            await _sink.DisposeAsync().ConfigureAwait(false);
        }
    }
}
