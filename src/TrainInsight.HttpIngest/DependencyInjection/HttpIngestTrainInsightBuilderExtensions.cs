using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.HttpIngest;
using TrainInsight.HttpIngest.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TrainInsight remote ingest client.</summary>
public static class HttpIngestTrainInsightBuilderExtensions
{
    /// <summary>
    /// Forwards every event of this host's bus to a central TrainInsight server's <c>POST /api/ingest</c> while the host
    /// runs: adds an <see cref="HttpIngestSink"/> that starts with the host and flushes when it stops, sending with the
    /// <c>IHttpClientFactory</c> client named <see cref="HttpIngestSink.HttpClientName"/> (add handlers to it with
    /// <c>services.AddHttpClient(HttpIngestSink.HttpClientName)</c>, for authentication say). Calling it again configures the
    /// same sink, so it must name the same endpoint.
    /// </summary>
    /// <param name="builder">The TrainInsight builder.</param>
    /// <param name="endpoint">The server's ingest endpoint, for example <c>http://metrics-host:5000/api/ingest</c>.</param>
    /// <param name="configure">Changes the sink's settings.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="endpoint"/> is not an absolute http or https URI.</exception>
    /// <exception cref="InvalidOperationException">A sink to another endpoint was added already.</exception>
    public static ITrainInsightBuilder AddHttpIngestSink(this ITrainInsightBuilder builder, Uri endpoint, Action<HttpIngestSinkOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(endpoint);
        var services = builder.Services;
        var options = services.FirstOrDefault(d => d.ServiceType == typeof(HttpIngestSinkOptions))?.ImplementationInstance as HttpIngestSinkOptions;
        if (options is null)
        {
            options = new HttpIngestSinkOptions(endpoint);
            services.AddSingleton(options);
        }
        else if (options.Endpoint != endpoint)
        {
            throw new InvalidOperationException(
                $"AddHttpIngestSink was already called with the endpoint {options.Endpoint}; a host forwards its bus to one ingest endpoint, not also to {endpoint}.");
        }

        configure?.Invoke(options);

        // The sink bounds every attempt itself (RequestTimeout); the client's own 100-second default must not cut it short.
        services.AddHttpClient(HttpIngestSink.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp => new HttpIngestSink(
            sp.GetRequiredService<ITelemetryBus>(),
            sp.GetRequiredService<HttpIngestSinkOptions>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpIngestSink.HttpClientName),
            sp.GetService<ILogger<HttpIngestSink>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, HttpIngestSinkService>());
        return builder;
    }
}
