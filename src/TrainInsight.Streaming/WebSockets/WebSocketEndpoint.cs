using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.WebSockets;

/// <summary>GET /ws/metrics: every event as a WebSocket text message.</summary>
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
            !QueryParsing.TryGetRunId(context.Request, out var runId, out problem))
        {
            await problem!.ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var logger = loggerFactory.CreateLogger("TrainInsight.Streaming.WebSockets");
        // Subscribe before the handshake completes, so that a client sees every event published after its 101 response.
        using var subscription = bus.Subscribe(new SubscriptionOptions
        {
            AfterOffset = afterOffset,
            RunId = runId,
            Capacity = options.ClientQueueCapacity,
        });
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
        var receiving = ReceiveAsync(socket, options.MaxRequestBodyBytes, stop);
        var closeSent = false;
        try
        {
            try
            {
                await foreach (var item in subscription.Reader.ReadAllAsync(sendStop.Token).ConfigureAwait(false))
                {
                    // Stopping the host also cancels a send stuck on a client that does not read (which aborts that socket).
                    await socket.SendAsync(EncodedEvent.For(item).WebSocket, WebSocketMessageType.Text, endOfMessage: true, sendStop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (!stop.IsCancellationRequested)
            {
                // The host is stopping.
            }

            // The bus completed or the host is stopping.
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down", CancellationToken.None).ConfigureAwait(false);
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

    /// <summary>Reads client frames: answers a close handshake and ends the connection; ignores text for now.</summary>
    private static async Task ReceiveAsync(WebSocket socket, int maxMessageBytes, CancellationTokenSource stop)
    {
        var buffer = new byte[4096];
        var messageBytes = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer, stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None).ConfigureAwait(false);
                    }

                    break;
                }

                // Counted before the end-of-message reset, so that a message's last chunk counts too.
                messageBytes += result.Count;
                if (messageBytes > maxMessageBytes)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too large", CancellationToken.None).ConfigureAwait(false);
                    break;
                }

                if (result.EndOfMessage)
                {
                    messageBytes = 0;
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
}
