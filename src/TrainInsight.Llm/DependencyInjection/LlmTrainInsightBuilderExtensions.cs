using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TrainInsight;
using TrainInsight.Diagnostics;
using TrainInsight.Llm;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers TrainInsight's run analyst.</summary>
public static class LlmTrainInsightBuilderExtensions
{
    /// <summary>
    /// Adds <see cref="TrainingAnalyst"/> and <see cref="LlmOptions"/>, and the diagnosis it takes its findings from
    /// (<c>AddDiagnostics()</c>, unless already added). Safe to call more than once: later calls only apply
    /// <paramref name="configure"/>.
    /// </summary>
    /// <remarks>
    /// The analyst uses the <see cref="IChatClient"/> the host registered (for example with <c>AddChatClient</c>), resolved
    /// once when the analyst is first resolved, so register it as a singleton; without one, it answers from rules only.
    /// This method never registers or creates a chat client.
    /// </remarks>
    /// <param name="builder">The TrainInsight builder returned by <c>AddTrainInsight</c>.</param>
    /// <param name="configure">Changes the analyst's settings; validated setters throw on bad values.</param>
    /// <returns>The same builder.</returns>
    public static ITrainInsightBuilder AddLlm(this ITrainInsightBuilder builder, Action<LlmOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        builder.AddDiagnostics();
        OptionsRegistration.GetOrAdd(services, configure);
        services.TryAddSingleton(sp => new TrainingAnalyst(
            sp.GetRequiredService<ITelemetryBus>(), sp.GetService<IChatClient>(), sp.GetRequiredService<LlmOptions>(), sp.GetRequiredService<DiagnosisEngine>()));
        return builder;
    }
}
