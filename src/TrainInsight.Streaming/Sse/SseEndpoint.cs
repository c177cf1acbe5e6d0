using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
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
            await problem.ExecuteAsync(context).ConfigureAwait(false);
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

            // The loop only copies prebuilt bytes into the response before it waits again (docs/architecture.md).
            AllowSynchronousContinuations = true,
        });
        Log.SseConnected(logger, afterOffset, runId);
        try
        {
            await WriteEventsAsync(response.BodyWriter, subscription.Reader, options.HeartbeatInterval, cancellationToken).ConfigureAwait(false);
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
            // The loop may have run inline on the bus's dispatcher thread (synchronous continuations): leave it before
            // the teardown, whose logging and middleware must not hold up every other subscriber.
            await Task.Yield();
            Log.SseDisconnected(logger, subscription.DroppedCount);
        }
    }

    /// <summary>
    /// Writes the subscriber's events as SSE frames until the stream ends; while the stream is silent for a heartbeat
    /// interval, writes a heartbeat comment. Everything queued is written before one flush.
    /// </summary>
    /// <remarks>
    /// Each event's whole frame is built once (<see cref="EncodedEvent.SseFrame"/>, the framing of .NET's SseFormatter) and
    /// copied straight into the response's PipeWriter: with a thousand clients, per-client formatting, a Stream adapter per
    /// write and a Task.WhenAny per event were most of the server's user-mode CPU per delivery (docs/benchmarks.md). One
    /// timer per connection, armed once per silence, replaces a delay task per wait.
    /// </remarks>
    private static async Task WriteEventsAsync(
        PipeWriter writer, ChannelReader<TrainInsightEvent> reader, TimeSpan heartbeat, CancellationToken cancellationToken)
    {
        // Send something at once so clients and proxies see the stream open before the first event.
        writer.Write(s_hello);
        if ((await writer.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
        {
            return;
        }

        var timer = new HeartbeatTimer(cancellationToken);
        try
        {
            var lastWrite = Stopwatch.GetTimestamp();
            while (true)
            {
                var written = false;
                while (reader.TryRead(out var item))
                {
                    writer.Write(EncodedEvent.For(item).SseFrame);
                    written = true;
                }

                if (!written && Stopwatch.GetElapsedTime(lastWrite) >= heartbeat)
                {
                    writer.Write(s_heartbeat);
                    written = true;
                }

                if (written)
                {
                    if ((await writer.FlushAsync(cancellationToken).ConfigureAwait(false)).IsCompleted)
                    {
                        return; // The client is gone.
                    }

                    lastWrite = Stopwatch.GetTimestamp();
                }

                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(timer.EnsureArmed(heartbeat - Stopwatch.GetElapsedTime(lastWrite))).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The heartbeat timer fired: the loop writes the heartbeat.
                    timer.Renew();
                    continue;
                }

                if (!more)
                {
                    return; // The bus or the subscription completed.
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

        private bool _armed;

        /// <summary>
        /// Arms the timer unless it is armed already: it is set once per silence, not per event (each CancelAfter takes
        /// the runtime's timer lock); when it fires early because events came in between, the loop re-arms it for the rest.
        /// </summary>
        public CancellationToken EnsureArmed(TimeSpan due)
        {
            if (!_armed)
            {
                _source.CancelAfter(due > TimeSpan.Zero ? due : TimeSpan.Zero);
                _armed = true;
            }

            return _source.Token;
        }

        public void Renew()
        {
            _armed = false;
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
