using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TrainInsight.LoadTests.Clients;

/// <summary>
/// One SSE client on a raw socket: a hand-written GET, a 2 KiB receive buffer and an incremental parser. An
/// HttpClient per connection would cost tens of KiB each and make 10,000 clients the bottleneck of the test.
/// </summary>
internal static class SseConnection
{
    private const int ReceiveBufferBytes = 2048;

    public static byte[] Request(IPEndPoint server) =>
        Encoding.ASCII.GetBytes($"GET /api/stream/metrics HTTP/1.1\r\nHost: {server}\r\nAccept: text/event-stream\r\n\r\n");

    /// <summary>Connects, streams until the server ends or <paramref name="cancellationToken"/> fires; never throws.</summary>
    /// <param name="opened">Completed once the stream is open, or when it failed before that.</param>
    public static async Task RunAsync(
        IPEndPoint server, IPAddress? source, byte[] request, ClientStats stats, TaskCompletionSource opened, CancellationToken cancellationToken)
    {
        var parser = new SseStreamParser();
        var lastId = -1L;
        var receivedAt = 0L;
        parser.EventReceived = (id, publishTicks) =>
        {
            stats.OnEvent(receivedAt, publishTicks, gap: lastId >= 0 && id != lastId + 1);
            lastId = id;
        };

        var isOpen = false;
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            if (source is not null)
            {
                // Another loopback source address gives another 28k ephemeral ports (127.0.0.0/8 is all loopback).
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
            var buffer = new byte[ReceiveBufferBytes];
            while (true)
            {
                var read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                // One timestamp per read, before parsing: the moment the bytes reached this process.
                receivedAt = Stopwatch.GetTimestamp();
                if (read == 0 || !parser.Feed(buffer.AsSpan(0, read)) || parser.Ended)
                {
                    break;
                }

                if (!isOpen && parser.Opened)
                {
                    isOpen = true;
                    stats.OnOpened();
                    opened.TrySetResult();
                }
            }

            if (!cancellationToken.IsCancellationRequested)
            {
                stats.OnFailed(isOpen, parser.Error ?? "the server closed the stream");
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                stats.OnFailed(isOpen, ex.Message);
            }
        }
        finally
        {
            opened.TrySetResult();
        }
    }
}
