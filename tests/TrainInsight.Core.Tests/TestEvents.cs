namespace TrainInsight.Tests;

/// <summary>Builders and bounded waits shared by the tests.</summary>
internal static class TestEvents
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static MetricEvent Metric(RunDescriptor run, long step, double loss = 1.0) =>
        new(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = loss });

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

    /// <summary>Waits until <paramref name="condition"/> holds, failing after <see cref="Patience"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string because)
    {
        using var cts = new CancellationTokenSource(Patience);
        while (!condition())
        {
            if (cts.IsCancellationRequested)
            {
                throw new TimeoutException($"Timed out after {Patience.TotalSeconds:N0} s waiting until {because}.");
            }

            await Task.Delay(5);
        }
    }
}
