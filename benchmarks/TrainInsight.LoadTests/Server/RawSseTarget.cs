using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TrainInsight.LoadTests.Server;

/// <summary>
/// The floor to compare TrainInsight with (<c>--server-kind raw</c>): the cheapest server that puts the same bytes on
/// the same 1,000s of loopback connections. A blocking listener answers each request with the real endpoint's
/// response headers and opening comment; <see cref="Publish"/> builds the chunked SSE frame once, with the same JSON
/// shape the real endpoint sends, and writes it to every socket with a synchronous <see cref="Socket.Send(byte[])"/>
/// in a loop on the publisher thread: no Kestrel, no pipes, no channels, no thread hops, no allocation per client.
/// </summary>
internal sealed class RawSseTarget : ILoadTarget
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Lock _gate = new();
    private readonly byte[] _responseHead;
    private volatile Socket[] _sockets = [];
    private long _offset;
    private long _failedSends;

    public RawSseTarget()
    {
        // What Kestrel + the SSE endpoint send (captured from a real response), headers and the first chunk together.
        _responseHead = Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" +
            $"Date: {DateTime.UtcNow.ToString("r", CultureInfo.InvariantCulture)}\r\n" +
            "Cache-Control: no-cache,no-store\r\nTransfer-Encoding: chunked\r\nX-Accel-Buffering: no\r\n\r\n" +
            "17\r\n: traininsight stream\n\n\r\n");
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(4096);
        new Thread(AcceptLoop) { IsBackground = true, Name = "raw-accept" }.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public int Subscribers
    {
        get
        {
            // Not measured: only between publishing windows. A silent client's socket turns readable once it closed.
            lock (_gate)
            {
                var open = _sockets.Where(s => !IsClosed(s)).ToArray();
                foreach (var closed in _sockets.Except(open))
                {
                    closed.Dispose();
                }

                _sockets = open;
                return open.Length;
            }
        }
    }

    public (long AtIngest, long AtSubscribers) Dropped => (0, Interlocked.Read(ref _failedSends));

    public bool Publish(long step)
    {
        var ticks = Stopwatch.GetTimestamp();
        var offset = ++_offset;
        var unixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var frame = string.Create(CultureInfo.InvariantCulture,
            $"event: metrics_update\ndata: {{\"timestamp\":{unixMs / 1000}.{unixMs % 1000:D3},\"event_type\":\"metrics_update\",\"run_id\":\"load-test\",\"sequence\":{offset},\"offset\":{offset},\"data\":{{\"step\":{step},\"epoch\":1,\"batch\":{step},\"train_loss\":{1.0 / step},\"advanced_metrics\":{{\"{Publisher.TimestampMetric}\":{ticks}}}}}}}\nid: {offset}\n\n");
        var chunk = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(frame):x}\r\n{frame}\r\n"));
        foreach (var socket in _sockets)
        {
            try
            {
                for (var sent = 0; sent < chunk.Length;)
                {
                    sent += socket.Send(chunk, sent, chunk.Length - sent, SocketFlags.None);
                }
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                Interlocked.Increment(ref _failedSends); // The client went away; Subscribers drops the socket later.
            }
        }

        return true;
    }

    public Task WaitForDispatchAsync() => Task.CompletedTask; // Publish returns once every socket has its bytes.

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        lock (_gate)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }

            _sockets = [];
        }

        return ValueTask.CompletedTask;
    }

    private static bool IsClosed(Socket socket)
    {
        try
        {
            return socket.Poll(0, SelectMode.SelectRead) && socket.Available == 0;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            return true;
        }
    }

    private void AcceptLoop()
    {
        var request = new byte[4096];
        try
        {
            while (true)
            {
                var socket = _listener.Accept();
                socket.NoDelay = true; // As Kestrel's socket transport.
                socket.ReceiveTimeout = 10_000;
                try
                {
                    // The load generator sends its whole GET at once right after connecting: read up to the blank line.
                    var length = 0;
                    while (request.AsSpan(0, length).IndexOf("\r\n\r\n"u8) < 0)
                    {
                        var read = socket.Receive(request, length, request.Length - length, SocketFlags.None);
                        length += read > 0 ? read : throw new SocketException((int)SocketError.ConnectionReset);
                    }

                    socket.Send(_responseHead);
                    lock (_gate)
                    {
                        _sockets = [.. _sockets, socket];
                    }
                }
                catch (SocketException)
                {
                    socket.Dispose();
                }
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }
}
