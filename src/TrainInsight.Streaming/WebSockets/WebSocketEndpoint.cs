using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.WebSockets;

/// <summary>GET /ws/metrics: every event as a WebSocket text message.</summary>
internal static class WebSocketEndpoint
{
    public static async Task HandleAsync(HttpContext context, ITelemetryBus bus, StreamingOptions options, ILoggerFactory loggerFactory)
    {
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
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.HeartbeatInterval,

            // A client that stops reading stops answering pings too; it is disconnected instead of holding a send forever.
            KeepAliveTimeout = options.HeartbeatInterval * 2,
        }).ConfigureAwait(false);
        using var subscription = bus.Subscribe(new SubscriptionOptions
        {
            AfterOffset = afterOffset,
            RunId = runId,
            Capacity = options.ClientQueueCapacity,
        });
        Log.WebSocketConnected(logger, afterOffset, runId);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var receiving = ReceiveAsync(socket, options.MaxRequestBodyBytes, stop);
        try
        {
            await foreach (var item in subscription.Reader.ReadAllAsync(stop.Token).ConfigureAwait(false))
            {
                await socket.SendAsync(EncodedEvent.For(item).WebSocket, WebSocketMessageType.Text, endOfMessage: true, stop.Token).ConfigureAwait(false);
            }

            // The bus completed: the host is shutting down.
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "server shutting down", CancellationToken.None).ConfigureAwait(false);
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

                messageBytes = result.EndOfMessage ? 0 : messageBytes + result.Count;
                if (messageBytes > maxMessageBytes)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too large", CancellationToken.None).ConfigureAwait(false);
                    break;
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
