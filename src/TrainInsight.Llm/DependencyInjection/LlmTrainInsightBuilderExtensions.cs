using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.Diagnostics;
using TrainInsight.Llm;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's assistant.</summary>
public static class LlmTrainInsightBuilderExtensions
{
    /// <summary>The size of the default answer cache, in bytes of cached JSON: 32 MiB.</summary>
    public const long DefaultCacheSizeLimit = 32L * 1024 * 1024;

    /// <summary>
    /// Adds <see cref="TrainingAssistant"/> as <see cref="ITrainingAssistant"/>, <see cref="LlmOptions"/>, and the diagnosis
    /// it takes its findings from (<c>AddDiagnostics()</c>, unless already added). With <c>AddStreaming()</c>,
    /// <c>MapTrainInsight()</c> then maps <c>/api/assistant/*</c>. Safe to call more than once: later calls only apply
    /// <paramref name="configure"/>.
    /// </summary>
    /// <remarks>
    /// The assistant uses the <see cref="IChatClient"/> the host registered (for example with <c>AddChatClient</c>), resolved
    /// once with the assistant; without one, it answers from the rules and says so. It caches answers in the host's
    /// <see cref="IDistributedCache"/>, or else in memory (at most <see cref="DefaultCacheSizeLimit"/> bytes). This method
    /// never registers or creates a chat client. With an <see cref="IProposalService"/> registered (<c>AddProposals()</c>),
    /// chat commands and live suggestions become pending proposals; without one, nothing is ever proposed. The
    /// <see cref="AutoAnalyzer"/> is registered too and started with the host only when <see cref="LlmOptions.AutoAnalysis"/>
    /// is on.
    /// </remarks>
    /// <param name="builder">The TrainInsight builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Changes the assistant's settings; validated setters throw on bad values.</param>
    /// <returns>The same builder.</returns>
    public static ITrainInsightBuilder AddLlm(this ITrainInsightBuilder builder, Action<LlmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddDiagnostics();
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton(sp => new TrainingAssistant(
            sp.GetRequiredService<IMetricStore>(),
            sp.GetRequiredService<ITelemetryBus>(),
            sp.GetService<IChatClient>(),
            sp.GetRequiredService<LlmOptions>(),
            sp.GetRequiredService<DiagnosisEngine>(),
            sp.GetService<IDistributedCache>() ?? new MemoryDistributedCache(Options.Options.Create(new MemoryDistributedCacheOptions { SizeLimit = DefaultCacheSizeLimit })),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<TimeProvider>(),
            sp.GetService<IProposalService>()));
        services.TryAddSingleton<ITrainingAssistant>(sp => sp.GetRequiredService<TrainingAssistant>());
        services.TryAddSingleton(sp => new AutoAnalyzer(
            sp.GetRequiredService<ITelemetryBus>(),
            sp.GetRequiredService<ITrainingAssistant>(),
            sp.GetRequiredService<LlmOptions>(),
            sp.GetService<ILogger<AutoAnalyzer>>(),
            sp.GetService<TimeProvider>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AutoAnalysisHostedService>());
        return builder;
    }

    private sealed class AutoAnalysisHostedService(AutoAnalyzer analyzer, LlmOptions options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.AutoAnalysis)
            {
                analyzer.Start();
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => analyzer.DisposeAsync().AsTask();
    }
}
