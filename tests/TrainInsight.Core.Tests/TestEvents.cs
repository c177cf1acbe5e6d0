namespace TrainInsight.Tests;

/// <summary>Builders and bounded waits shared by the tests.</summary>
internal static class TestEvents
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static MetricEvent Metric(RunDescriptor run, long step, double loss = 1.0) =>
        new(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = loss });

    /// <summary>Builds an event as the bus would have stamped it (for queue and store tests).</summary>
    public static MetricEvent Stamped(RunDescriptor run, long offset, long sequence, string name = MetricNames.TrainLoss) =>
        new(run, sequence, new Dictionary<string, double> { [name] = offset }) { Offset = offset, Sequence = sequence };

    /// <summary>Reads what can be read without waiting.</summary>
    public static List<TrainInsightEvent> DrainNow(ITelemetrySubscription subscription) => DrainNow(subscription.Reader);

    /// <summary>Reads what can be read without waiting.</summary>
    public static List<TrainInsightEvent> DrainNow(System.Threading.Channels.ChannelReader<TrainInsightEvent> reader)
    {
        var events = new List<TrainInsightEvent>();
        while (reader.TryRead(out var e))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>Reads until the reader completes, failing after <see cref="Patience"/>.</summary>
    public static async Task<List<TrainInsightEvent>> ReadToEndAsync(System.Threading.Channels.ChannelReader<TrainInsightEvent> reader)
    {
        using var cts = new CancellationTokenSource(Patience);
        var events = new List<TrainInsightEvent>();
        await foreach (var e in reader.ReadAllAsync(cts.Token))
        {
            events.Add(e);
        }

        return events;
    }

    /// <summary>first, first + 1, ..., last.</summary>
    public static IEnumerable<long> LongRange(long first, long last)
    {
        for (var i = first; i <= last; i++)
        {
            yield return i;
        }
    }

    /// <summary>Describes an event compactly for assertions: "5" for an event at offset 5, "gap(3,4..6,s2)" for a gap.</summary>
    public static string Describe(TrainInsightEvent e) => e is GapEvent g
        ? $"gap({g.MissedCount},{g.FirstMissedOffset}..{g.LastMissedOffset},s{g.FirstMissedSequence})"
        : e.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Reads exactly <paramref name="count"/> events, failing after <see cref="Patience"/>.</summary>
    public static async Task<List<TrainInsightEvent>> ReadAsync(ITelemetrySubscription subscription, int count)
    {
        using var cts = new CancellationTokenSource(Patience);
        var events = new List<TrainInsightEvent>(count);
        while (events.Count < count)
        {
            events.Add(await subscription.Reader.ReadAsync(cts.Token));
        }

        return events;
    }
}
