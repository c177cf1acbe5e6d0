using Microsoft.Extensions.DependencyInjection.Extensions;
using TrainInsight;
using TrainInsight.Streaming;
using TrainInsight.Streaming.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TrainInsight streaming endpoints' services.</summary>
public static class StreamingTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds what <c>app.MapTrainInsight()</c> needs: <see cref="StreamingOptions"/> and the remote-run registry of
    /// <c>POST /api/ingest</c>. Safe to call more than once.
    /// The WebSocket endpoint also needs the host's <c>app.UseWebSockets()</c> (with the host's own
    /// <c>WebSocketOptions</c>, such as allowed origins); without it, WebSocket upgrades get a 500 problem saying so.
    /// Also registers the "traininsight" OpenAPI document (<c>AddOpenApi("traininsight")</c>, TrainInsight's endpoints only)
    /// and the CORS services that <see cref="StreamingOptions.AllowedOrigins"/> uses with the host's <c>app.UseCors()</c>.
    /// </summary>
    /// <param name="builder">The TrainInsight builder.</param>
    /// <param name="configure">Changes the streaming settings.</param>
    /// <returns>The same builder.</returns>
    public static ITrainInsightBuilder AddStreaming(this ITrainInsightBuilder builder, Action<StreamingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        if (!services.Any(d => d.ServiceType == typeof(StreamingMarker)))
        {
            OpenApiMetadata.AddDocument(services);
        }

        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton<StreamingMarker>();
        services.TryAddSingleton<IngestRunRegistry>();
        services.AddCors();
        return builder;
    }
}
