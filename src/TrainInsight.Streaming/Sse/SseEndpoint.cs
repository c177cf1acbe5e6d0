using System.Buffers;
using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.Sse;

/// <summary>GET /api/stream/metrics: every event as Server-Sent Events, resumable through Last-Event-ID.</summary>
internal static class SseEndpoint
{
    private static readonly byte[] s_hello = ": traininsight stream\n\n"u8.ToArray();
    private static readonly byte[] s_heartbeat = ": heartbeat\n\n"u8.ToArray();

    public static async Task HandleAsync(
        HttpContext context, ITelemetryBus bus, StreamingOptions options, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    {
        if (!QueryParsing.TryGetResumeOffset(context.Request, out var afterOffset, out var problem) ||
            !QueryParsing.TryGetRunId(context.Request, out var runId, out problem) ||
            !QueryParsing.TryGetMetricNames(context.Request, out var metricNames, out problem))
        {
            await problem!.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var logger = loggerFactory.CreateLogger("TrainInsight.Streaming.Sse");

        // The stream also ends when the host starts stopping: the server waits for open requests before it stops, so a
        // stream that ignored shutdown would hold it up for the whole shutdown timeout.
        using var streamEnd = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var cancellationToken = streamEnd.Token;
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var subscription = bus.Subscribe(new SubscriptionOptions
        {
            AfterOffset = afterOffset,
            RunId = runId,
            MetricNames = metricNames,
            Capacity = options.ClientQueueCapacity,
        });
        Log.SseConnected(logger, afterOffset, runId);
        try
        {
            // Send something at once so clients and proxies see the stream open before the first event.
            await response.Body.WriteAsync(s_hello, cancellationToken).ConfigureAwait(false);
            await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            await SseFormatter.WriteAsync(
                ReadAsync(subscription.Reader, response.Body, options.HeartbeatInterval, cancellationToken),
                response.Body,
                static (item, writer) => writer.Write(item.Data.Sse),
                cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away or the host is stopping.
        }
        catch (IOException) when (cancellationToken.IsCancellationRequested)
        {
            // The connection broke while writing.
        }
        finally
        {
            Log.SseDisconnected(logger, subscription.DroppedCount);
        }
    }

    /// <summary>
    /// Yields the subscriber's events as SSE items; while the stream is silent, writes a heartbeat comment
    /// between items (the formatter is then awaiting this enumerator, so writes never interleave).
    /// </summary>
    /// <remarks>
    /// One timer per connection, re-armed with <see cref="CancellationTokenSource.CancelAfter(TimeSpan)"/> before each
    /// wait, rather than a <c>Task.WhenAny</c> of a read and a delay per event: with thousands of clients the
    /// per-event combinator and its allocations were a measurable share of the server's CPU.
    /// </remarks>
    private static async IAsyncEnumerable<SseItem<EncodedEvent>> ReadAsync(
        ChannelReader<TrainInsightEvent> reader, Stream body, TimeSpan heartbeat, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var timer = new HeartbeatTimer(cancellationToken);
        try
        {
            var lastWrite = Stopwatch.GetTimestamp();
            while (true)
            {
                while (reader.TryRead(out var item))
                {
                    var encoded = EncodedEvent.For(item);
                    lastWrite = Stopwatch.GetTimestamp();

                    // A gap has no id: the client's resume position stays the last event it really received.
                    yield return new SseItem<EncodedEvent>(encoded, encoded.EventType) { EventId = item is GapEvent ? null : encoded.OffsetText };
                }

                var due = heartbeat - Stopwatch.GetElapsedTime(lastWrite);
                if (due <= TimeSpan.Zero)
                {
                    await body.WriteAsync(s_heartbeat, cancellationToken).ConfigureAwait(false);
                    await body.FlushAsync(cancellationToken).ConfigureAwait(false);
                    lastWrite = Stopwatch.GetTimestamp();
                    continue;
                }

                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(timer.Arm(due)).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The heartbeat timer fired: the loop writes the heartbeat.
                    timer.Renew();
                    continue;
                }

                if (!more)
                {
                    yield break; // The bus or the subscription completed.
                }
            }
        }
        finally
        {
            timer.Dispose();
        }
    }

    /// <summary>A cancellation source that fires after a silence or when the stream ends, renewed only after it fired.</summary>
    private sealed class HeartbeatTimer : IDisposable
    {
        private readonly CancellationToken _streamEnd;
        private CancellationTokenSource _source = new();
        private CancellationTokenRegistration _link;

        public HeartbeatTimer(CancellationToken streamEnd)
        {
            _streamEnd = streamEnd;
            _link = streamEnd.Register(static s => ((HeartbeatTimer)s!).Cancel(), this);
        }

        public CancellationToken Arm(TimeSpan due)
        {
            _source.CancelAfter(due);
            return _source.Token;
        }

        public void Renew()
        {
            _link.Dispose();
            _source.Dispose();
            _source = new CancellationTokenSource();
            _link = _streamEnd.Register(static s => ((HeartbeatTimer)s!).Cancel(), this);
        }

        public void Dispose()
        {
            _link.Dispose();
            _source.Dispose();
        }

        private void Cancel() => _source.Cancel();
    }
}
