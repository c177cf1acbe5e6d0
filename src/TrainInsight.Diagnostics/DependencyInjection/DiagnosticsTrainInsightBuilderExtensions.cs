using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.Diagnostics;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's diagnosis.</summary>
public static class DiagnosticsTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="DiagnosisEngine"/> that the host starts and stops with itself (a hosted service): every run on the
    /// bus is diagnosed and its findings are published, streamed and stored. No LLM is involved. Safe to call more than once:
    /// later calls only apply <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Changes the labels, thresholds and aliases; validated setters throw on bad values.</param>
    /// <returns>The builder.</returns>
    public static ITrainInsightBuilder AddDiagnostics(this ITrainInsightBuilder builder, Action<DiagnosticsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton(sp => new DiagnosisEngine(
            sp.GetRequiredService<ITelemetryBus>(), sp.GetRequiredService<DiagnosticsOptions>(), sp.GetService<ILogger<DiagnosisEngine>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DiagnosisHostedService>());
        return builder;
    }

    private sealed class DiagnosisHostedService(DiagnosisEngine engine) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            engine.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => engine.DisposeAsync().AsTask();
    }
}
