using TrainInsight.Internal;

namespace TrainInsight.Diagnostics;

/// <summary>Settings of TrainInsight's diagnosis: which labels run, their thresholds, the metric aliases and the findings' lifecycle.</summary>
/// <remarks>The detectors read these when a run is first seen; change them before runs start.</remarks>
public sealed class DiagnosticsOptions
{
    private int _resolveAfter = 5;
    private int _coverageAfter = 10;
    private int _maxRuns = 1_000;
    private int _minUpdateInterval = 10;
    private int _subscriberCapacity = 65_536;

    /// <summary>Gets the labels not to diagnose (see <see cref="FindingLabels"/>). The default is empty.</summary>
    public ISet<string> DisabledLabels { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Gets the metric names the detectors recognise as their signals. The default covers Keras, Lightning, PyTorch tutorials and tensorboardX.</summary>
    public MetricAliases Aliases { get; } = new();

    /// <summary>Gets the divergence thresholds.</summary>
    public DivergenceOptions Divergence { get; } = new();

    /// <summary>Gets the learning-rate thresholds (too high, too low).</summary>
    public LearningRateOptions LearningRate { get; } = new();

    /// <summary>Gets the overfitting thresholds.</summary>
    public OverfittingOptions Overfitting { get; } = new();

    /// <summary>Gets the gradient thresholds (vanishing, exploding, missing <c>zero_grad</c>).</summary>
    public GradientOptions Gradients { get; } = new();

    /// <summary>Gets the activation thresholds (dying ReLU, saturation).</summary>
    public ActivationOptions Activations { get; } = new();

    /// <summary>Gets the plateau thresholds.</summary>
    public PlateauOptions Plateau { get; } = new();

    /// <summary>Gets the label-noise thresholds.</summary>
    public LabelNoiseOptions LabelNoise { get; } = new();

    /// <summary>Gets the data-pipeline thresholds (unnormalised input, unshuffled data, loader bottleneck).</summary>
    public DataOptions Data { get; } = new();

    /// <summary>
    /// Gets or sets after how many checks (metric updates or validations) in a row without the condition an open finding is
    /// resolved. Between 1 and 10,000. The default is 5, so one lucky batch does not close a finding that comes back.
    /// </summary>
    public int ResolveAfterChecks
    {
        get => _resolveAfter;
        set => _resolveAfter = OptionsGuard.InRange(value, 1, 10_000);
    }

    /// <summary>
    /// Gets or sets the fewest checks between two updates of one open finding (a change of severity is published at once):
    /// findings grow their evidence without flooding the streams. Between 1 and 100,000. The default is 10.
    /// </summary>
    public int MinUpdateInterval
    {
        get => _minUpdateInterval;
        set => _minUpdateInterval = OptionsGuard.InRange(value, 1, 100_000);
    }

    /// <summary>
    /// Gets or sets after how many metric updates of a run the labels it cannot be judged on (their signals never came)
    /// are reported in one <see cref="FindingLabels.SignalsMissing"/> finding. Between 1 and 100,000. The default is 10.
    /// </summary>
    public int CoverageAfterChecks
    {
        get => _coverageAfter;
        set => _coverageAfter = OptionsGuard.InRange(value, 1, 100_000);
    }

    /// <summary>
    /// Gets or sets how many runs the diagnosis keeps state for; beyond it the runs updated least recently are forgotten.
    /// Between 1 and 1,000,000. The default is 1,000.
    /// </summary>
    public int MaxRuns
    {
        get => _maxRuns;
        set => _maxRuns = OptionsGuard.InRange(value, 1, 1_000_000);
    }

    /// <summary>
    /// Gets or sets how many events the diagnosis subscriber may fall behind the bus before it loses some (counted in
    /// <see cref="DiagnosisEngine.EventsMissed"/>). Between 16 and 10,000,000. The default is 65,536.
    /// </summary>
    public int SubscriberCapacity
    {
        get => _subscriberCapacity;
        set => _subscriberCapacity = OptionsGuard.InRange(value, 16, 10_000_000);
    }
}
