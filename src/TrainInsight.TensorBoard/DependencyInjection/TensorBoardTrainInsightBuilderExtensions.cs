using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight;
using TrainInsight.TensorBoard;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the TensorBoard log-directory tailer.</summary>
public static class TensorBoardTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds a <see cref="TensorBoardTailer"/> that the host starts and stops with itself (a hosted service): every scalar
    /// written under <see cref="TensorBoardTailerOptions.LogDirectory"/> reaches the bus, and so every TrainInsight endpoint.
    /// Safe to call more than once: later calls only apply <paramref name="configure"/>.
    /// </summary>
    /// <param name="builder">The builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Sets the log directory (required) and the other settings.</param>
    /// <returns>The builder.</returns>
    public static ITrainInsightBuilder AddTensorBoard(this ITrainInsightBuilder builder, Action<TensorBoardTailerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton(sp => new TensorBoardTailer(
            sp.GetRequiredService<ITelemetryBus>(), sp.GetRequiredService<TensorBoardTailerOptions>(), sp.GetService<ILogger<TensorBoardTailer>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TensorBoardTailerHostedService>());
        return builder;
    }

    private sealed class TensorBoardTailerHostedService(TensorBoardTailer tailer) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            tailer.Start();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => tailer.DisposeAsync().AsTask();
    }
}
