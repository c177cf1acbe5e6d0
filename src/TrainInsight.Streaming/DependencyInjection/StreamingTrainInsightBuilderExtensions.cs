using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TrainInsight;
using TrainInsight.Streaming;
using TrainInsight.Streaming.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TrainInsight streaming endpoints' services.</summary>
public static class StreamingTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds what <c>app.MapTrainInsight()</c> needs: <see cref="StreamingOptions"/> and the WebSocket middleware
    /// (added at the start of the pipeline; harmless if the host adds it too). Safe to call more than once.
    /// </summary>
    /// <param name="builder">The TrainInsight builder.</param>
    /// <param name="configure">Changes the streaming settings.</param>
    /// <returns>The same builder.</returns>
    public static ITrainInsightBuilder AddStreaming(this ITrainInsightBuilder builder, Action<StreamingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton<StreamingMarker>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, WebSocketsStartupFilter>());
        return builder;
    }
}
