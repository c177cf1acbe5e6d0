using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace TrainInsight.Llm.Internal.Pipeline;

/// <summary>
/// The chat pipeline around the host's client, outermost first: distributed cache (identical prompts answered once),
/// function invocation (the chat tools), OpenTelemetry (source "TrainInsight.Llm"), logging, the budget, the circuit breaker
/// and the timeouts, then the host's client.
/// </summary>
internal sealed class AssistantPipeline
{
    public const string TelemetrySourceName = "TrainInsight.Llm";

    public AssistantPipeline(IChatClient inner, LlmOptions options, IDistributedCache? cache, ILoggerFactory? loggerFactory, TimeProvider time)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var builder = new ChatClientBuilder(inner);
        if (cache is not null)
        {
            builder.UseDistributedCache(cache, c => c.CacheKeyAdditionalValues = ["traininsight-assistant-1"]);
        }

        builder.UseFunctionInvocation(loggerFactory, f =>
        {
            f.MaximumIterationsPerRequest = Math.Max(1, options.MaxToolCalls);
            f.MaximumConsecutiveErrorsPerRequest = 2;
            f.IncludeDetailedErrors = false;
        });
        builder.UseOpenTelemetry(loggerFactory, TelemetrySourceName);
        if (loggerFactory is not NullLoggerFactory)
        {
            builder.UseLogging(loggerFactory);
        }

        builder.Use(next => Budget = new BudgetChatClient(next, options, time));
        builder.Use(next => Breaker = new CircuitBreakerChatClient(next, options, time));
        builder.Use(next => new TimeoutChatClient(next, options));
        Client = builder.Build();
    }

    public IChatClient Client { get; }

    public BudgetChatClient Budget { get; private set; } = null!;

    public CircuitBreakerChatClient Breaker { get; private set; } = null!;
}
