using System.Diagnostics;

namespace TrainInsight.LoadTests.Server;

/// <summary>
/// Publishes events at a steady rate on the calling thread, as a training loop would. Every event carries
/// <c>publish_ticks</c>: <see cref="Stopwatch.GetTimestamp"/> taken just before the event is handed to the server
/// under test. On Linux that is CLOCK_MONOTONIC in nanoseconds, the same clock in every process, so the client
/// process can subtract it from its own receive timestamp. A double holds integers exactly up to 2^53 ns (104 days of
/// uptime).
/// </summary>
internal static class Publisher
{
    public const string TimestampMetric = "publish_ticks";

    /// <summary>
    /// Calls <paramref name="publish"/> with steps 1, 2, … <paramref name="rate"/> times per second for
    /// <paramref name="seconds"/>; returns how many it accepted.
    /// </summary>
    public static long Run(Func<long, bool> publish, double rate, double seconds)
    {
        var count = (long)Math.Round(rate * seconds);
        var periodTicks = Stopwatch.Frequency / rate;
        var start = Stopwatch.GetTimestamp();
        var accepted = 0L;
        for (var i = 0L; i < count; i++)
        {
            // Absolute schedule: a late wake-up does not shift later events.
            var due = start + (long)(i * periodTicks);
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            if (publish(i + 1))
            {
                accepted++;
            }
        }

        return accepted;
    }
}
