namespace TrainInsight.DashboardBenchmark;

/// <summary>A long run: 166,667 steps of six metrics (one per default chart) with a spike and a NaN, then live steps.</summary>
internal static class LargeRun
{
    public const string RunId = "large-run";
    public const int Steps = 166_667;

    public static readonly string[] Metrics =
    [
        MetricNames.TrainLoss, MetricNames.TrainAccuracy, MetricNames.LearningRate, MetricNames.SamplesPerSecond,
        MetricNames.GradientNorm, MetricNames.GpuMemoryUsed,
    ];

    public static long Points => (long)Steps * Metrics.Length;

    private static readonly RunDescriptor s_run = new(RunId) { Name = "large" };

    public static Dictionary<string, double> ValuesAt(long step, Random random)
    {
        var loss = (2.3 * Math.Exp(-step / 50_000.0)) + (0.04 * random.NextDouble());
        return new Dictionary<string, double>(Metrics.Length)
        {
            [MetricNames.TrainLoss] = step == 90_000 ? double.NaN : step == 60_000 ? 40 : loss,
            [MetricNames.TrainAccuracy] = 1 - (loss / 2.6),
            [MetricNames.LearningRate] = step < 100_000 ? 0.001 : 0.0001,
            [MetricNames.SamplesPerSecond] = 4_000 + (500 * random.NextDouble()),
            [MetricNames.GradientNorm] = 0.5 + random.NextDouble(),
            [MetricNames.GpuMemoryUsed] = 3.2 + (0.01 * random.NextDouble()),
        };
    }

    /// <summary>Stores the run's history directly (as a store holds a finished run), in batches of the store writer's size.</summary>
    public static async Task FillAsync(IMetricStore store)
    {
        var random = new Random(1);
        var batch = new List<TrainInsightEvent>(2_000);
        for (var step = 1; step <= Steps; step++)
        {
            batch.Add(new MetricEvent(s_run, step, ValuesAt(step, random)) { Sequence = step, Offset = step });
            if (batch.Count == batch.Capacity || step == Steps)
            {
                await store.AppendAsync(batch);
                batch = new List<TrainInsightEvent>(2_000);
            }
        }
    }

    /// <summary>Publishes the run's next steps on the bus at <paramref name="rate"/> a second; returns how many.</summary>
    public static async Task<int> PublishLiveAsync(ITelemetryBus bus, int rate, TimeSpan duration)
    {
        var random = new Random(2);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / rate));
        var end = DateTime.UtcNow + duration;
        var count = 0;
        while (DateTime.UtcNow < end && await timer.WaitForNextTickAsync())
        {
            var step = Steps + (++count);
            bus.TryPublish(new MetricEvent(s_run, step, ValuesAt(step, random)));
        }

        return count;
    }
}
