namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// Over the last <see cref="GradientOptions.Window"/> samples the <c>gradient_norm</c> rose in at least
/// <see cref="GradientOptions.AccumulationMonotony"/> of the changes and reached <see cref="GradientOptions.AccumulationGrowth"/>
/// times its smallest early value: gradients are being summed across steps.
/// </summary>
internal sealed class MissingZeroGradDetector : Detector
{
    private const double DecreaseFactor = 0.1;
    private readonly GradientOptions _options;
    private readonly RollingWindow _norms;
    private double _baseline = double.PositiveInfinity;
    private long _baselineStep;
    private long _samples;
    private long _step;
    private string _name = MetricNames.GradientNorm;

    public MissingZeroGradDetector(DiagnosticsOptions options)
        : base(FindingLabels.MissingZeroGrad, FindingSeverity.Warning)
    {
        _options = options.Gradients;
        _norms = new RollingWindow(_options.Window + 1);
    }

    public override string NeededSignals => "gradient_norm";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.GradientNorm);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        if (!frame.Has(Signal.GradientNorm) || !double.IsFinite(frame[Signal.GradientNorm]))
        {
            return;
        }

        var norm = frame[Signal.GradientNorm];
        _name = frame.NameOf(Signal.GradientNorm);
        _step = frame.Step;
        _samples++;
        if (_samples <= 3 && norm > 0 && norm < _baseline)
        {
            _baseline = norm;
            _baselineStep = frame.Step;
        }

        _norms.Add(norm);
        if (!_norms.IsFull || double.IsPositiveInfinity(_baseline))
        {
            return;
        }

        var rising = _norms.RiseShare(_options.Window);
        var growth = norm / _baseline;
        var active = rising >= _options.AccumulationMonotony && growth >= _options.AccumulationGrowth;
        Confidence = Math.Min(1, 0.5 + (0.5 * rising * Math.Min(1, growth / (4 * _options.AccumulationGrowth))));
        Judge(active, growth / _options.AccumulationGrowth);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var norm = _norms.Latest;
        var rising = _norms.RiseShare(_options.Window);
        return new FindingContent(
            Text.Join($"{_name} rose in {Text.Percent(rising)} of the last {_options.Window} samples and is {Text.F(norm)} at step {Text.F(_step)}, {Text.Times(norm / _baseline)} its early value ({Text.F(_baseline)} at step {Text.F(_baselineStep)}). A gradient that only grows is being summed across steps: optimizer.zero_grad() is not called, so every step applies the sum of all past gradients."),
            [
                new FindingEvidence(_name, norm, _step, "latest gradient norm", _options.AccumulationGrowth * _baseline),
                new FindingEvidence(_name, _baseline, _baselineStep, "smallest of the first 3 samples"),
                new FindingEvidence(_name, rising, _step, Text.Join($"share of rises among the last {_options.Window} changes"), _options.AccumulationMonotony),
            ],
            [
                Fixes.Code("call_zero_grad", "Call optimizer.zero_grad() at the start of every step, before loss.backward()", "TorchSharp and PyTorch add new gradients to .grad; without zeroing, the update grows with every step."),
                Fixes.ScaleLearningRate(run, DecreaseFactor, "Until the code is fixed, a lower rate delays the blow-up the growing sum causes (it does not stop it)."),
            ]);
    }
}
