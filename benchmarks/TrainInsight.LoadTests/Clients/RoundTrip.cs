using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TrainInsight.LoadTests.Clients;

/// <summary>
/// Loopback TCP round trip between this process and the server process: 1 byte out, 1 byte echoed back, blocking
/// calls on both sides. Its median is the floor any publish→receive latency is compared with.
/// </summary>
internal static class RoundTrip
{
    public static string Measure(IPEndPoint echo, int count)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(echo);
        var data = new byte[1];
        var samples = new long[count];
        for (var i = -count / 10; i < count; i++) // The first tenth warms up and is not kept.
        {
            var start = Stopwatch.GetTimestamp();
            socket.Send(data);
            if (socket.Receive(data) != 1)
            {
                throw new InvalidOperationException("The echo server closed the connection.");
            }

            if (i >= 0)
            {
                samples[i] = Stopwatch.GetTimestamp() - start;
            }
        }

        Array.Sort(samples);
        double Us(long ticks) => ticks * 1e6 / Stopwatch.Frequency;
        return string.Create(CultureInfo.InvariantCulture,
            $"count={count} median_us={Us(samples[count / 2]):F1} p90_us={Us(samples[count * 9 / 10]):F1} p99_us={Us(samples[count * 99 / 100]):F1}");
    }
}
