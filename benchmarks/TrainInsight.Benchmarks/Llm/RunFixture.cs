namespace TrainInsight.Benchmarks.Llm;

/// <summary>A synthetic run of a vision trainer's usual metrics, published through a real bus into a store.</summary>
internal static class RunFixture
{
    public static void Publish(ITelemetryBus bus, string runId, int steps)
    {
        var run = new RunDescriptor(runId)
        {
            ModelName = "SmallCnn",
            TotalEpochs = 10,
            StepsPerEpoch = steps / 10,
            Hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.LearningRate] = 0.001, [HyperparameterNames.BatchSize] = 128 },
        };
        var random = new Random(7);
        for (var step = 1; step <= steps; step++)
        {
            var loss = 2.3 * Math.Exp(-step / (double)steps * 3) * (1 + (0.1 * (random.NextDouble() - 0.5)));
            var values = new Dictionary<string, double>
            {
                [MetricNames.TrainLoss] = loss,
                [MetricNames.ValLoss] = loss * 1.1,
                [MetricNames.TrainAccuracy] = 1 - (loss / 2.5),
                [MetricNames.ValAccuracy] = 1 - (loss / 2.3),
                [MetricNames.LearningRate] = 0.001,
                [MetricNames.GradientNorm] = 1 + random.NextDouble(),
                [MetricNames.SamplesPerSecond] = 2_000 + (100 * random.NextDouble()),
                [MetricNames.GpuMemoryUsed] = 2.1,
            };
            while (!bus.TryPublish(new MetricEvent(run, step, values) { Epoch = 1 + ((step - 1) * 10 / steps) }))
            {
                Thread.Sleep(1);
            }
        }
    }

    public static void WaitStored(IMetricStore store, string runId, int steps)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((store.GetRunAsync(runId).GetAwaiter().GetResult()?.LastStep ?? 0) < steps)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The store did not receive the benchmark run within 60 s.");
            }

            Thread.Sleep(20);
        }
    }
}
