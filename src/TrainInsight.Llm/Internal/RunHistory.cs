namespace TrainInsight.Llm.Internal;

/// <summary>One sampled value of a metric.</summary>
internal readonly record struct MetricSample(long Step, int? Epoch, double Value);

/// <summary>What one completed epoch reported, merged from its epoch event and its metric updates.</summary>
internal sealed class EpochSummary(int epoch)
{
    public int Epoch { get; } = epoch;

    public Dictionary<string, double> Values { get; } = new(StringComparer.Ordinal);

    public double? Get(string name) => Values.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The telemetry of one run, read once from the bus's history and arranged for the rules and the prompt.</summary>
internal sealed class RunHistory
{
    private static readonly IReadOnlyList<MetricSample> s_none = [];

    private RunHistory(RunDescriptor run, MetricsSnapshot current, Dictionary<string, List<MetricSample>> series, List<EpochSummary> epochs)
    {
        Run = run;
        Current = current;
        Series = series;
        Epochs = epochs;
    }

    /// <summary>Gets the run's description.</summary>
    public RunDescriptor Run { get; }

    /// <summary>Gets the run's merged latest values and state.</summary>
    public MetricsSnapshot Current { get; }

    /// <summary>Gets every metric's sampled values from metric events, oldest first.</summary>
    public IReadOnlyDictionary<string, List<MetricSample>> Series { get; }

    /// <summary>Gets the epochs that reported a summary, by epoch number.</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; }

    /// <summary>Gets the sampled <c>train_loss</c>, NaN and infinities included, oldest first.</summary>
    public IReadOnlyList<MetricSample> TrainLoss => Get(MetricNames.TrainLoss);

    /// <summary>Gets one metric's sampled values, or an empty list.</summary>
    public IReadOnlyList<MetricSample> Get(string name) => Series.TryGetValue(name, out var points) ? points : s_none;

    /// <summary>Reads a run from the bus.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="runId">The run, or <see langword="null"/> for the run that published most recently.</param>
    /// <exception cref="KeyNotFoundException">The bus has seen no event of the run (or none at all, when <paramref name="runId"/> is null).</exception>
    public static RunHistory Read(ITelemetryBus bus, string? runId)
    {
        var current = bus.GetCurrent(runId) ?? throw new KeyNotFoundException(runId is null
            ? "No run has published to the telemetry bus yet; there is nothing to analyze."
            : $"The telemetry bus has no events of run '{runId}'.");
        var id = current.Run.Id;

        var series = new Dictionary<string, List<MetricSample>>(StringComparer.Ordinal);
        var epochs = new SortedDictionary<int, EpochSummary>();
        foreach (var item in bus.GetHistory())
        {
            if (!string.Equals(item.RunId, id, StringComparison.Ordinal))
            {
                continue;
            }

            switch (item)
            {
                case MetricEvent metric:
                    foreach (var (name, value) in metric.Values)
                    {
                        if (!series.TryGetValue(name, out var points))
                        {
                            series.Add(name, points = []);
                        }

                        points.Add(new MetricSample(metric.Step, metric.Epoch, value));

                        // Validation metrics published with an epoch describe that epoch even without an epoch event.
                        if (metric.Epoch is { } e && name.StartsWith("val_", StringComparison.Ordinal))
                        {
                            GetEpoch(epochs, e).Values[name] = value;
                        }
                    }

                    break;
                case TrainingEvent { Kind: TrainingEventKind.EpochCompleted, Epoch: { } epoch } completed:
                    var summary = GetEpoch(epochs, epoch);
                    foreach (var (name, value) in completed.Metrics)
                    {
                        summary.Values[name] = value;
                    }

                    break;
            }
        }

        // An epoch whose summary has no train_loss gets the mean of its sampled steps.
        if (series.TryGetValue(MetricNames.TrainLoss, out var trainLoss))
        {
            foreach (var summary in epochs.Values)
            {
                if (!summary.Values.ContainsKey(MetricNames.TrainLoss))
                {
                    var inEpoch = trainLoss.Where(p => p.Epoch == summary.Epoch).Select(p => p.Value).ToList();
                    if (inEpoch.Count > 0)
                    {
                        summary.Values[MetricNames.TrainLoss] = inEpoch.Average();
                    }
                }
            }
        }

        return new RunHistory(current.Run, current, series, [.. epochs.Values]);
    }

    private static EpochSummary GetEpoch(SortedDictionary<int, EpochSummary> epochs, int epoch)
    {
        if (!epochs.TryGetValue(epoch, out var summary))
        {
            epochs.Add(epoch, summary = new EpochSummary(epoch));
        }

        return summary;
    }
}
