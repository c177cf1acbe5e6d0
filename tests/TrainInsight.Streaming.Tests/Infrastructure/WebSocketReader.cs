using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace TrainInsight.Streaming.Tests.Infrastructure;

internal static class WebSocketReader
{
    /// <summary>Connects a client to <paramref name="uri"/>.</summary>
    public static async Task<ClientWebSocket> ConnectAsync(Uri uri, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        return socket;
    }

    /// <summary>Receives one whole message; returns its type and text (empty for a close).</summary>
    public static async Task<(WebSocketMessageType Type, string Text)> ReceiveAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return (WebSocketMessageType.Close, string.Empty);
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return (result.MessageType, Encoding.UTF8.GetString(message.ToArray()));
            }
        }
    }

    /// <summary>Receives one text message and parses it as JSON.</summary>
    public static async Task<JsonElement> ReceiveJsonAsync(this WebSocket socket, CancellationToken cancellationToken)
    {
        var (type, text) = await socket.ReceiveAsync(cancellationToken).ConfigureAwait(false);
        type.Should().Be(WebSocketMessageType.Text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
