using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.WebSockets;

/// <summary>
/// GET /ws/metrics: every event as a WebSocket text message; the client steers which runs and metrics it receives with
/// subscribe/unsubscribe messages and may ping (docs/protocol.md).
/// </summary>
internal static class WebSocketEndpoint
{
    private static readonly TimeSpan s_closeWait = TimeSpan.FromSeconds(2);

    public static async Task HandleAsync(
        HttpContext context, ITelemetryBus bus, StreamingOptions options, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory)
    {
        if (context.Features.Get<IHttpWebSocketFeature>() is null &&
            context.Request.Headers.Upgrade.ToString().Contains("websocket", StringComparison.OrdinalIgnoreCase))
        {
            // The host did not add the WebSocket middleware; the library leaves the pipeline (and its WebSocketOptions,
            // such as allowed origins) to the host.
            await Results.Problem(
                    detail: "The host has not enabled WebSockets: call app.UseWebSockets() before app.MapTrainInsight().",
                    statusCode: StatusCodes.Status500InternalServerError,
                    title: "WebSockets not enabled",
                    type: "https://traininsight.dev/problems/websockets-not-enabled")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.BadRequest("WebSocket upgrade required", "Connect to this endpoint with a WebSocket client (ws:// or wss://).")
                .ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        if (!QueryParsing.TryGetResumeOffset(context.Request, out var afterOffset, out var problem) ||
            !QueryParsing.TryGetRunId(context.Request, out var runId, out problem) ||
            !QueryParsing.TryGetMetricNames(context.Request, out var metricNames, out problem))
        {
            await problem.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var logger = loggerFactory.CreateLogger("TrainInsight.Streaming.WebSockets");
        // Subscribe before the handshake completes, so that a client sees every event published after its 101 response.
        // The bus subscription covers every run, so the client can subscribe to other runs later; the connection's
        // filter (initially ?run= and ?names=) decides what is sent.
        using var subscription = bus.Subscribe(new SubscriptionOptions
        {
            AfterOffset = afterOffset,
            Capacity = options.ClientQueueCapacity,

            // The loop only copies prebuilt bytes into the response before it waits again (docs/architecture.md).
            AllowSynchronousContinuations = true,
        });
        using var connection = new Connection(ConnectionFilter.Create(runId, metricNames));
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.HeartbeatInterval,

            // A client that stops reading stops answering pings too; it is disconnected instead of holding a send forever.
            KeepAliveTimeout = options.HeartbeatInterval * 2,
        }).ConfigureAwait(false);
        Log.WebSocketConnected(logger, afterOffset, runId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);

        // Sending also ends when the host starts stopping (the server waits for open requests before it stops); receiving
        // goes on so that the client can answer the close handshake.
        using var sendStop = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, lifetime.ApplicationStopping);
        var receiving = ReceiveAsync(socket, connection, bus, options.MaxRequestBodyBytes, stop);
        var closeSent = false;
        try
        {
            try
            {
                await foreach (var item in subscription.Reader.ReadAllAsync(sendStop.Token).ConfigureAwait(false))
                {
                    if (connection.Filter.Matches(item))
                    {
                        // Stopping the host also cancels a send stuck on a client that does not read (which aborts that socket).
                        await connection.SendEventAsync(socket, item, sendStop.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // The host is stopping.
            }

            // The bus completed or the host is stopping.
            if (socket.State == WebSocketState.Open)
            {
                await connection.CloseOutputAsync(socket, WebSocketCloseStatus.EndpointUnavailable, "server shutting down").ConfigureAwait(false);
                closeSent = true;
            }
        }
        catch (OperationCanceledException)
        {
            // The client closed the socket or the request was aborted.
        }
        catch (WebSocketException ex)
        {
            Log.WebSocketFailed(logger, ex);
        }
        finally
        {
            // The send loop may have run inline on the bus's dispatcher thread (synchronous continuations): leave it
            // before the teardown, which waits for the close handshake.
            await Task.Yield();
            if (closeSent)
            {
                // Give the client a moment to send its close frame back, without holding up shutdown for long.
                try
                {
                    await receiving.WaitAsync(options.HeartbeatInterval < s_closeWait ? options.HeartbeatInterval : s_closeWait).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }

            await stop.CancelAsync().ConfigureAwait(false);
            await receiving.ConfigureAwait(false);
            Log.WebSocketDisconnected(logger, subscription.DroppedCount);
        }
    }

    /// <summary>Reads client messages: subscribe, unsubscribe and ping are answered; a close handshake ends the connection.</summary>
    private static async Task ReceiveAsync(WebSocket socket, Connection connection, ITelemetryBus bus, int maxMessageBytes, CancellationTokenSource stop)
    {
        var buffer = new byte[4096];
        var message = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await connection.CloseOutputAsync(socket, WebSocketCloseStatus.NormalClosure, "bye").ConfigureAwait(false);
                    }

                    break;
                }

                // Counted before the end-of-message reset, so that a message's last chunk counts too.
                if (message.WrittenCount + result.Count > maxMessageBytes)
                {
                    await connection.CloseOutputAsync(socket, WebSocketCloseStatus.MessageTooBig, "message too large").ConfigureAwait(false);
                    break;
                }

                message.Write(buffer.AsSpan(0, result.Count));
                if (result.EndOfMessage)
                {
                    var reply = result.MessageType == WebSocketMessageType.Text
                        ? Handle(connection, bus, message.WrittenSpan)
                        : ClientReplies.Error("invalid_message", "Send client messages as JSON text frames.");
                    message.ResetWrittenCount();
                    await connection.SendAsync(socket, reply, stop.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (WebSocketException)
        {
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Applies one client message and returns the reply.</summary>
    private static byte[] Handle(Connection connection, ITelemetryBus bus, ReadOnlySpan<byte> json)
    {
        ClientMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(json, ClientMessageContext.Default.ClientMessage);
        }
        catch (JsonException ex)
        {
            return ClientReplies.Error("invalid_message", $"The message is not valid JSON for this protocol: {ex.Message}");
        }

        if (message is null)
        {
            return ClientReplies.Error("invalid_message", "The message must be a JSON object with a \"type\".");
        }

        if (Validate(message) is { } invalid)
        {
            return ClientReplies.Error("invalid_message", invalid);
        }

        switch (message.Type)
        {
            case "ping":
                return ClientReplies.Pong(message.Id, bus.GetStatistics().LastOffset, connection.LastSentOffset);
            case "subscribe":
                connection.Filter = connection.Filter.Subscribe(message.Runs, message.Metrics);
                return ClientReplies.Subscribed(connection.Filter);
            case "unsubscribe":
                if (connection.Filter.Unsubscribe(message.Runs, message.Metrics, out var error) is not { } filter)
                {
                    return ClientReplies.Error("invalid_unsubscribe", error!);
                }

                connection.Filter = filter;
                return ClientReplies.Subscribed(filter);
            default:
                return ClientReplies.Error("unknown_type", $"Unknown message type '{message.Type}'; use subscribe, unsubscribe or ping.");
        }
    }

    private static string? Validate(ClientMessage message)
    {
        if (string.IsNullOrEmpty(message.Type))
        {
            return "The message must have a \"type\": subscribe, unsubscribe or ping.";
        }

        if (message.Id is { Length: > 128 })
        {
            return "\"id\" must be at most 128 characters.";
        }

        if (message.Type is "subscribe" or "unsubscribe")
        {
            if (message.Runs is null && message.Metrics is null)
            {
                return $"A {message.Type} message needs \"runs\" and/or \"metrics\" (lists of names, or [\"*\"] for all).";
            }

            foreach (var run in message.Runs ?? [])
            {
                if (run != ConnectionFilter.All && !RunDescriptor.IsValidId(run))
                {
                    return $"'{run}' is not a valid run id: use 1 to 128 letters, digits, '-', '_' or '.', or \"*\" for all runs.";
                }
            }

            foreach (var metric in message.Metrics ?? [])
            {
                if (string.IsNullOrEmpty(metric) || metric.Length > 128)
                {
                    return "Metric names must be 1 to 128 characters.";
                }
            }

            if ((message.Runs?.Count ?? 0) + (message.Metrics?.Count ?? 0) > QueryParsing.MaxMetricNames)
            {
                return $"A message may list at most {QueryParsing.MaxMetricNames} names.";
            }
        }

        return null;
    }

    /// <summary>One connection's state shared by its send and receive loops.</summary>
    private sealed class Connection(ConnectionFilter filter) : IDisposable
    {
        // Events and replies come from two loops; a WebSocket allows one send at a time.
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private volatile ConnectionFilter _filter = filter;
        private long _lastSentOffset;

        public ConnectionFilter Filter
        {
            get => _filter;
            set => _filter = value;
        }

        /// <summary>Gets the offset of the last event sent on this connection, or 0 before the first.</summary>
        public long LastSentOffset => Interlocked.Read(ref _lastSentOffset);

        public async Task SendAsync(WebSocket socket, byte[] message, CancellationToken cancellationToken)
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        /// <summary>
        /// Sends an event if the filter still wants it once this send holds the socket: the filter may have changed while
        /// waiting, and after a "subscribed" reply every event must match the filter that reply states.
        /// </summary>
        public async Task SendEventAsync(WebSocket socket, TrainInsightEvent item, CancellationToken cancellationToken)
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_filter.Matches(item))
                {
                    await socket.SendAsync(EncodedEvent.For(item).WebSocket, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                    if (item is not GapEvent)
                    {
                        Interlocked.Exchange(ref _lastSentOffset, item.Offset);
                    }
                }
            }
            finally
            {
                _sendLock.Release();
            }
        }

        public async Task CloseOutputAsync(WebSocket socket, WebSocketCloseStatus status, string description)
        {
            // A close frame may not interleave with a message either; a send stuck on a client that does not read is
            // cancelled by then (the send loop's token), so this wait is short.
            if (!await _sendLock.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false))
            {
                socket.Abort();
                return;
            }

            try
            {
                await socket.CloseOutputAsync(status, description, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        public void Dispose() => _sendLock.Dispose();
    }
}
