using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.Proposals;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's proposals.</summary>
public static class ProposalsTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="ProposalManager"/> as the <see cref="IProposalService"/>, started and stopped with the host (a hosted
    /// service): findings' live fixes become pending proposals, approved ones are applied through the control mailbox and
    /// measured, hurt ones get a revert proposal. The streaming endpoints (<c>/api/proposals</c>), the assistant and the MCP
    /// server use it when it is registered. Safe to call more than once: later calls only apply <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Changes the options; validated setters throw on bad values.</param>
    /// <returns>The builder.</returns>
    public static ITrainInsightBuilder AddProposals(this ITrainInsightBuilder builder, Action<ProposalOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var descriptor = services.FirstOrDefault(d => d.ServiceType == typeof(ProposalOptions) && d.ImplementationInstance is ProposalOptions);
        var options = (ProposalOptions?)descriptor?.ImplementationInstance ?? new ProposalOptions();
        configure?.Invoke(options);
        if (descriptor is null)
        {
            services.AddSingleton(options);
        }

        services.TryAddSingleton(sp => new ProposalManager(
            sp.GetRequiredService<ITelemetryBus>(), sp.GetRequiredService<ITrainingControl>(), sp.GetRequiredService<IMetricStore>(),
            sp.GetRequiredService<ProposalOptions>(), sp.GetService<ILogger<ProposalManager>>(), sp.GetService<TimeProvider>()));
        services.TryAddSingleton<IProposalService>(sp => sp.GetRequiredService<ProposalManager>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ProposalsHostedService>());
        return builder;
    }

    private sealed class ProposalsHostedService(ProposalManager manager) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            manager.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => manager.DisposeAsync().AsTask();
    }
}
