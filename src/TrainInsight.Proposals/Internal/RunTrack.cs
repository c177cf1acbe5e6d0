namespace TrainInsight.Proposals.Internal;

/// <summary>What the manager knows of one run: whether it ended, its latest values and the recent values of tracked metrics.</summary>
internal sealed class RunTrack(RunDescriptor run, int window)
{
    private readonly Dictionary<string, Queue<(long Step, double Value)>> _windows = new(StringComparer.Ordinal)
    {
        [MetricNames.TrainLoss] = new(),
    };

    public RunDescriptor Run { get; set; } = run;

    public bool Ended { get; set; }

    public int AutoApplied { get; set; }

    public string? LastCheckpointPath { get; set; }

    public Dictionary<string, double> Latest { get; } = new(StringComparer.Ordinal);

    /// <summary>The applied proposals of the run whose after window is filling.</summary>
    public List<Entry> Measuring { get; } = [];

    /// <summary>Starts keeping the recent values of a metric (a proposal's target).</summary>
    public void Track(string metric) => _windows.TryAdd(metric, new Queue<(long, double)>());

    public IReadOnlyList<(long Step, double Value)> Recent(string metric) =>
        _windows.TryGetValue(metric, out var queue) ? [.. queue] : [];

    public void Observe(MetricEvent metrics)
    {
        foreach (var (name, value) in metrics.Values)
        {
            Latest[name] = value;
            if (_windows.TryGetValue(name, out var queue))
            {
                queue.Enqueue((metrics.Step, value));
                while (queue.Count > window)
                {
                    queue.Dequeue();
                }
            }
        }
    }

    /// <summary>The current values of the hyperparameters a proposal may change: the latest metrics, else the run's hyperparameters.</summary>
    public IReadOnlyDictionary<string, double> Current()
    {
        var current = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in new[] { MetricNames.LearningRate, HyperparameterNames.WeightDecay })
        {
            if (Latest.TryGetValue(name, out var value) && double.IsFinite(value))
            {
                current[name] = value;
            }
            else if (Run.Hyperparameters.TryGetValue(name, out var hp) && hp.Kind == HyperparameterKind.Number)
            {
                current[name] = hp.Number;
            }
        }

        return current;
    }
}
