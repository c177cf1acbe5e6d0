namespace TrainInsight.Diagnostics.Internal;

/// <summary>The canonical metric name of each <see cref="Signal"/>.</summary>
internal static class SignalNames
{
    public const int Count = 14;

    /// <summary>Per-layer gradient norms: <c>gradient_norm/&lt;layer&gt;</c>.</summary>
    public const string LayerGradientPrefix = MetricNames.GradientNorm + "/";

    private static readonly string[] s_names =
    [
        MetricNames.TrainLoss,
        MetricNames.ValLoss,
        MetricNames.TrainAccuracy,
        MetricNames.ValAccuracy,
        MetricNames.LearningRate,
        MetricNames.GradientNorm,
        MetricNames.UpdateRatio,
        MetricNames.DeadRelu,
        MetricNames.Saturation,
        MetricNames.DataTime,
        MetricNames.BatchTime,
        MetricNames.InputMean,
        MetricNames.InputStd,
        MetricNames.BatchClassShare,
    ];

    private static readonly Dictionary<string, Signal> s_byName = s_names
        .Select((name, index) => (name, index))
        .ToDictionary(p => p.name, p => (Signal)p.index, StringComparer.OrdinalIgnoreCase);

    public static string Of(Signal signal) => s_names[(int)signal];

    public static bool TryParse(string name, out Signal signal) => s_byName.TryGetValue(name, out signal);
}
