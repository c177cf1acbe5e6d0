namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// The median absolute <c>input_mean</c> of the last <see cref="DataOptions.Window"/> samples exceeds
/// <see cref="DataOptions.MaxInputMean"/>, or the median <c>input_std</c> exceeds <see cref="DataOptions.MaxInputStd"/>.
/// </summary>
internal sealed class UnnormalizedInputDetector : Detector
{
    private readonly DataOptions _options;
    private readonly RollingWindow _means;
    private readonly RollingWindow _stds;
    private long _step;
    private string _meanName = MetricNames.InputMean;
    private string _stdName = MetricNames.InputStd;

    public UnnormalizedInputDetector(DiagnosticsOptions options)
        : base(FindingLabels.UnnormalizedInput, FindingSeverity.Warning)
    {
        _options = options.Data;
        _means = new RollingWindow(_options.Window);
        _stds = new RollingWindow(_options.Window);
    }

    public override string NeededSignals => "input_mean and input_std";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.InputMean) || run.HasSeen(Signal.InputStd);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        var any = false;
        if (frame.Has(Signal.InputMean) && double.IsFinite(frame[Signal.InputMean]))
        {
            _means.Add(Math.Abs(frame[Signal.InputMean]));
            _meanName = frame.NameOf(Signal.InputMean);
            any = true;
        }

        if (frame.Has(Signal.InputStd) && double.IsFinite(frame[Signal.InputStd]))
        {
            _stds.Add(frame[Signal.InputStd]);
            _stdName = frame.NameOf(Signal.InputStd);
            any = true;
        }

        if (!any)
        {
            return;
        }

        _step = frame.Step;
        var mean = _means.Count > 0 ? _means.Median() : 0;
        var std = _stds.Count > 0 ? _stds.Median() : 1;
        var magnitude = Math.Max(mean / _options.MaxInputMean, std / _options.MaxInputStd);
        Confidence = Math.Min(1, 0.7 + (0.05 * magnitude));
        Judge(magnitude > 1, magnitude);
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var mean = _means.Count > 0 ? _means.Median() : double.NaN;
        var std = _stds.Count > 0 ? _stds.Median() : double.NaN;
        var pixels = mean is > 20 and < 255 ? " — the range of raw 0–255 pixels" : string.Empty;
        List<FindingEvidence> evidence = [];
        if (_means.Count > 0)
        {
            evidence.Add(new FindingEvidence(_meanName, mean, _step, Text.Join($"median |mean| of the last {_means.Count} input batches"), _options.MaxInputMean));
        }

        if (_stds.Count > 0)
        {
            evidence.Add(new FindingEvidence(_stdName, std, _step, Text.Join($"median standard deviation of the last {_stds.Count} input batches"), _options.MaxInputStd));
        }

        return new FindingContent(
            Text.Join($"The input batches have a mean of {Text.F(mean)} and a standard deviation of {Text.F(std)} at step {Text.F(_step)}{pixels}; normalised inputs sit near 0 and 1. Unscaled inputs make the first layer's pre-activations and gradients {Text.F(Math.Max(std, 1))}× too large, so training is unstable or needs a far smaller learning rate."),
            evidence,
            [
                Fixes.Code(
                    "normalize_inputs",
                    Text.Join($"Normalise the inputs: x = (x − {Text.F(mean)}) / {Text.F(std)} (this run's batch statistics){(pixels.Length > 0 ? "; for images, divide by 255 first and then standardise with the data set's mean and std" : string.Empty)}"),
                    "Zero-mean, unit-variance inputs keep every layer's activations and gradients in the range its initialisation assumes."),
                Fixes.Code("add_input_normalisation_layer", "Or add a fixed normalisation layer (or batch normalisation) as the model's first layer", "Then every caller of the model gets the same scaling."),
            ]);
    }
}
