using System.Net;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace TrainInsight.HttpIngest.Internal;

/// <summary>
/// The resilience pipeline every ingest request goes through (Polly): each attempt is bounded by
/// <see cref="HttpIngestSinkOptions.RequestTimeout"/>; network errors, timeouts, 5xx, 408 and 429 are retried without
/// limit, after the server's <c>Retry-After</c> when it gives one (capped at <see cref="HttpIngestSinkOptions.MaxRetryDelay"/>),
/// else after an exponential, jittered delay from <see cref="HttpIngestSinkOptions.InitialRetryDelay"/> up to that cap.
/// Only the sink's own stop ends the retries. The response of a retried attempt is disposed by the pipeline.
/// </summary>
internal static class IngestRetryPipeline
{
    public static ResiliencePipeline<HttpResponseMessage> Create(HttpIngestSinkOptions options, Func<OnRetryArguments<HttpResponseMessage>, ValueTask> onRetry) =>
        new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.InitialRetryDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome, args.Context.CancellationToken)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxRetryDelay)),
                OnRetry = onRetry,
            })
            .AddTimeout(options.RequestTimeout)
            .Build();

    /// <summary>Whether an attempt's outcome is worth another attempt.</summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome, CancellationToken stopping) => outcome switch
    {
        { Exception: HttpRequestException or IOException or TimeoutRejectedException } => true,

        // A cancellation that is not the sink stopping: the HttpClient's own timeout, say.
        { Exception: OperationCanceledException } => !stopping.IsCancellationRequested,
        { Result: { } response } => IsTransient(response.StatusCode),
        _ => false,
    };

    public static bool IsTransient(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    /// <summary>The delay a response's <c>Retry-After</c> asks for, capped; <see langword="null"/> when it asks for none.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan max)
    {
        var header = response?.Headers.RetryAfter;
        var delay = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return delay is { } value ? TimeSpan.FromTicks(Math.Clamp(value.Ticks, 0, max.Ticks)) : null;
    }
}
