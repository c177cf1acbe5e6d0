namespace TrainInsight.Diagnostics.Tests.Infrastructure;

/// <summary>
/// Builds a run's events the way a trainer publishes them (metric updates with an epoch, epoch completions with validation
/// metrics) and feeds them to a <see cref="TrainingDiagnoser"/>, collecting every finding revision with the index of the
/// update that caused it.
/// </summary>
internal sealed class Synthetic
{
    private readonly List<(int Check, FindingEvent Finding)> _findings = [];
    private long _step;
    private int _checks;

    public Synthetic(string id = "run-a", DiagnosticsOptions? options = null, TrainingDiagnoser? diagnoser = null)
    {
        Run = new RunDescriptor(id) { Name = id, ModelName = "Mlp", TotalEpochs = 10, StepsPerEpoch = 100 };
        Diagnoser = diagnoser ?? new TrainingDiagnoser(options);
    }

    public RunDescriptor Run { get; }

    public TrainingDiagnoser Diagnoser { get; }

    public int Epoch { get; set; } = 1;

    /// <summary>Every revision so far, with the 1-based number of the metric update or validation that produced it.</summary>
    public IReadOnlyList<(int Check, FindingEvent Finding)> Revisions => _findings;

    public IEnumerable<FindingEvent> Raised => _findings.Select(f => f.Finding).Where(f => f.Revision == 1 && f.State == FindingState.Open);

    /// <summary>Labels raised with at least warning severity.</summary>
    public IEnumerable<string> Problems => Raised.Where(f => f.Severity >= FindingSeverity.Warning).Select(f => f.Label).Distinct();

    public int? FirstCheckOf(string label) => _findings.FirstOrDefault(f => f.Finding.Label == label && f.Finding.Revision == 1).Check is var c and > 0 ? c : null;

    /// <summary>Publishes one metric update per element of <paramref name="values"/>, 10 steps apart.</summary>
    public Synthetic Samples(int count, Func<int, Dictionary<string, double>> values)
    {
        for (var i = 0; i < count; i++)
        {
            _step += 10;
            Feed(new MetricEvent(Run, _step, values(i)) { Epoch = Epoch });
        }

        return this;
    }

    public Synthetic Validate(double valLoss, double valAccuracy)
    {
        Feed(new TrainingEvent(Run, TrainingEventKind.EpochCompleted)
        {
            Epoch = Epoch,
            Step = _step,
            Metrics = new Dictionary<string, double> { [MetricNames.ValLoss] = valLoss, [MetricNames.ValAccuracy] = valAccuracy },
        });
        Epoch++;
        return this;
    }

    public Synthetic Feed(TrainInsightEvent item)
    {
        _checks++;
        foreach (var finding in Diagnoser.Observe(item))
        {
            _findings.Add((_checks, finding));
        }

        return this;
    }

    /// <summary>A healthy loss: exponential decay from 2.3 towards 0.3 with multiplicative noise of <paramref name="noise"/>.</summary>
    public static double HealthyLoss(int i, int seed = 1, double noise = 0.1, int horizon = 200) =>
        Math.Max(0.3 + (2.0 * Math.Exp(-4.0 * i / horizon)), 1e-3) * (1 + (noise * Noise(i, seed)));

    /// <summary>Deterministic noise in [-1, 1].</summary>
    public static double Noise(int i, int seed = 1)
    {
        var x = Math.Sin((i + 1) * 12.9898 * seed) * 43758.5453;
        return (2 * (x - Math.Floor(x))) - 1;
    }

    /// <summary>The values of a healthy update of a TrainInsight.Torch run with every signal on.</summary>
    public static Dictionary<string, double> Healthy(int i, int seed = 1) => new()
    {
        [MetricNames.TrainLoss] = HealthyLoss(i, seed),
        [MetricNames.TrainAccuracy] = Math.Min(0.95, 0.3 + (0.6 * (1 - Math.Exp(-4.0 * i / 200)))),
        [MetricNames.LearningRate] = 0.001,
        [MetricNames.GradientNorm] = 2 + Noise(i, seed + 7),
        [MetricNames.UpdateRatio] = 1e-3 * (1 + (0.2 * Noise(i, seed + 3))),
        [MetricNames.DeadRelu] = 0.05,
        [MetricNames.Saturation] = 0.01,
        [MetricNames.DataTime] = 0.002,
        [MetricNames.BatchTime] = 0.02,
        [MetricNames.InputMean] = 0.01,
        [MetricNames.InputStd] = 1.0,
        [MetricNames.BatchClassShare] = 0.2 + (0.05 * Noise(i, seed + 5)),
        ["gradient_norm/layers.0"] = 0.8,
        ["gradient_norm/layers.1"] = 1.1,
        ["gradient_norm/layers.2"] = 1.5,
    };

    /// <summary>A healthy update with some values replaced.</summary>
    public static Dictionary<string, double> HealthyWith(int i, params (string Name, double Value)[] changes)
    {
        var values = Healthy(i);
        foreach (var (name, value) in changes)
        {
            values[name] = value;
        }

        return values;
    }
}
