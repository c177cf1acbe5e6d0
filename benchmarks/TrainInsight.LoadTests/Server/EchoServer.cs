using System.Net;
using System.Net.Sockets;

namespace TrainInsight.LoadTests.Server;

/// <summary>
/// A 1-byte TCP echo on 127.0.0.1 inside the server process, so the client process can measure a plain loopback round
/// trip between the same two processes that carry the SSE traffic. Blocking calls on a dedicated thread.
/// </summary>
internal sealed class EchoServer : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public EchoServer()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(16);
        new Thread(AcceptLoop) { IsBackground = true, Name = "echo-accept" }.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    public void Dispose() => _listener.Dispose();

    private void AcceptLoop()
    {
        try
        {
            while (true)
            {
                var connection = _listener.Accept();
                connection.NoDelay = true;
                new Thread(() => Echo(connection)) { IsBackground = true, Name = "echo" }.Start();
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Disposed.
        }
    }

    private static void Echo(Socket connection)
    {
        using (connection)
        {
            var data = new byte[1];
            try
            {
                while (connection.Receive(data) == 1)
                {
                    connection.Send(data);
                }
            }
            catch (SocketException)
            {
                // The client went away.
            }
        }
    }
}
