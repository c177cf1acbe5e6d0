using System.Diagnostics;

namespace TrainInsight.LoadTests.Server;

/// <summary>
/// Publishes metric events at a steady rate on a dedicated thread, as a training loop would. Every event carries
/// <c>publish_ticks</c>: <see cref="Stopwatch.GetTimestamp"/> taken just before <see cref="ITelemetryBus.TryPublish"/>.
/// On Linux that is CLOCK_MONOTONIC in nanoseconds, the same clock in every process, so the client process can
/// subtract it from its own receive timestamp. A double holds integers exactly up to 2^53 ns (104 days of uptime).
/// </summary>
internal static class Publisher
{
    public const string TimestampMetric = "publish_ticks";

    private static readonly RunDescriptor s_run = new("load-test") { Name = "TrainInsight load test" };

    /// <summary>Publishes <paramref name="rate"/> events per second for <paramref name="seconds"/>; returns how many were accepted.</summary>
    public static long Run(ITelemetryBus bus, double rate, double seconds)
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

            // Building the event between the timestamp and TryPublish costs well under a microsecond; the event is not
            // changed after it is built, in case MetricEvent ever copies its values.
            var values = new Dictionary<string, double>(2)
            {
                [TimestampMetric] = Stopwatch.GetTimestamp(),
                [MetricNames.TrainLoss] = 1.0 / (i + 1),
            };
            if (bus.TryPublish(new MetricEvent(s_run, i + 1, values) { Epoch = 1, Batch = (int)(i + 1) }))
            {
                accepted++;
            }
        }

        return accepted;
    }
}
