using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using TrainInsight.Wire;

namespace TrainInsight.HttpIngest.Internal;

/// <summary>
/// Sends one batch to the ingest endpoint through the retry pipeline and accounts for it: sent, duplicates, rejected and
/// failed attempts. Used by one pump at a time.
/// </summary>
internal sealed class IngestSender
{
    private static readonly ResiliencePropertyKey<int> s_batchCount = new("TrainInsight.HttpIngest.BatchCount");

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private long _sent;
    private long _duplicates;
    private long _rejected;
    private long _failedAttempts;
    private bool _failing;

    public IngestSender(HttpClient http, HttpIngestSinkOptions options, ILogger logger)
    {
        _http = http;
        _endpoint = options.Endpoint;
        _logger = logger;
        _pipeline = IngestRetryPipeline.Create(options, OnRetry);
    }

    public long SentCount => Interlocked.Read(ref _sent);

    public long DuplicateCount => Interlocked.Read(ref _duplicates);

    public long RejectedCount => Interlocked.Read(ref _rejected);

    public long FailedAttemptCount => Interlocked.Read(ref _failedAttempts);

    public async Task SendAsync(List<TrainInsightEvent> batch, CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = IngestBatchBuilder.Serialize(batch);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            // A descriptor or value the wire format cannot carry: never worth retrying, never fatal to the sink.
            Interlocked.Add(ref _rejected, batch.Count);
            HttpIngestSinkLog.Rejected(_logger, batch.Count, 0, ex.Message);
            return;
        }

        HttpResponseMessage response;
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_batchCount, batch.Count);
        try
        {
            response = await _pipeline.ExecuteAsync(
                static async (context, state) =>
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, state.Endpoint) { Content = new ByteArrayContent(state.Body) };
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                    return await state.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, context.CancellationToken).ConfigureAwait(false);
                },
                context,
                (Http: _http, Endpoint: _endpoint, Body: body)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not a transient failure (the pipeline retries those without end): an invalid request, say. Dropped, loudly.
            Interlocked.Add(ref _rejected, batch.Count);
            HttpIngestSinkLog.Unsendable(_logger, batch.Count, ex);
            return;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        using (response)
        {
            _failing = false;
            if (response.IsSuccessStatusCode)
            {
                var reply = await ReadReplyAsync(response, cancellationToken).ConfigureAwait(false);
                Interlocked.Add(ref _sent, reply?.Accepted ?? batch.Count);
                Interlocked.Add(ref _duplicates, reply?.Duplicates ?? 0);
                return;
            }

            // A 4xx other than 408 and 429: the server will not take this batch however often it is sent.
            Interlocked.Add(ref _rejected, batch.Count);
            HttpIngestSinkLog.Rejected(_logger, batch.Count, (int)response.StatusCode, await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <summary>Counts and logs a failed attempt the pipeline is about to retry: a warning for the first of a streak.</summary>
    private ValueTask OnRetry(OnRetryArguments<HttpResponseMessage> args)
    {
        Interlocked.Increment(ref _failedAttempts);
        var count = args.Context.Properties.GetValue(s_batchCount, 0);
        if (!_failing)
        {
            _failing = true;
            var reason = args.Outcome.Result is { } failed ? $"status {(int)failed.StatusCode}" : args.Outcome.Exception?.GetType().Name ?? "no answer";
            HttpIngestSinkLog.Failing(_logger, count, reason);
        }

        if (args.Outcome.Result is { } response)
        {
            HttpIngestSinkLog.RetryingStatus(_logger, count, (int)response.StatusCode, args.RetryDelay);
        }
        else
        {
            HttpIngestSinkLog.RetryingError(_logger, count, args.RetryDelay, args.Outcome.Exception!);
        }

        return ValueTask.CompletedTask;
    }

    private static async Task<IngestResponseDto?> ReadReplyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, IngestJsonContext.Default.IngestResponseDto, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (JsonException)
        {
            // A 2xx without the documented body (a proxy, say): the batch was still delivered; every event counts as sent.
            return null;
        }
    }

    private static async Task<string> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            return text.Length > 1024 ? text[..1024] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            // The status alone is logged; the body that would have explained it could not be read.
            return $"(the response body could not be read: {ex.Message})";
        }
    }

}
