namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// A NaN or infinite loss, gradient norm or validation loss; one <c>train_loss</c> sample above the starting loss and
/// <see cref="DivergenceOptions.LossFactor"/> times the best smoothed loss; or a smoothed <c>train_loss</c> that blew up to
/// <see cref="DivergenceOptions.LossFactor"/> times its best and lost more than half the progress made since the start.
/// </summary>
internal sealed class DivergenceDetector(DiagnosticsOptions options) : Detector(FindingLabels.Divergence, FindingSeverity.Critical)
{
    private readonly DivergenceOptions _options = options.Divergence;
    private readonly LearningRateOptions _rates = options.LearningRate;
    private double _ema = double.NaN;
    private double _initial = double.NaN;
    private double _best = double.PositiveInfinity;
    private long _bestStep;
    private long _finiteCount;
    private double _lastLoss;
    private long _lastStep;
    private string _lossName = MetricNames.TrainLoss;
    private bool _nonFinite;
    private int _finiteSinceNonFinite;
    private string _badMetric = MetricNames.TrainLoss;
    private double _badValue;
    private long _badStep;
    private double? _rateAtOnset;
    private bool _spiked;
    private bool _spikeNow;
    private double _spikeRatio = double.NaN;
    private string _ratioName = MetricNames.UpdateRatio;

    public override string NeededSignals => "train_loss or val_loss";

    public override bool IsCovered(RunDiagnosis run) => run.HasSeen(Signal.TrainLoss) || run.HasSeen(Signal.ValLoss);

    public override void OnSample(RunDiagnosis run, SignalFrame frame)
    {
        var judged = false;
        if (frame.Has(Signal.GradientNorm) && !double.IsFinite(frame[Signal.GradientNorm]))
        {
            MarkNonFinite(frame.NameOf(Signal.GradientNorm), frame[Signal.GradientNorm], frame.Step, run);
            judged = true;
        }

        if (frame.Has(Signal.UpdateRatio) && frame[Signal.UpdateRatio] >= _options.MaxUpdateRatio)
        {
            // One update as large as the weights themselves throws them out, whatever the loss shows yet.
            _spiked = _spikeNow = true;
            _spikeRatio = frame[Signal.UpdateRatio];
            _ratioName = frame.NameOf(Signal.UpdateRatio);
            _lastStep = frame.Step;
            judged = true;
        }

        if (frame.Has(Signal.TrainLoss))
        {
            judged = true;
            var loss = frame[Signal.TrainLoss];
            _lossName = frame.NameOf(Signal.TrainLoss);
            _lastStep = frame.Step;
            _lastLoss = loss;
            if (!double.IsFinite(loss))
            {
                MarkNonFinite(_lossName, loss, frame.Step, run);
            }
            else
            {
                _finiteCount++;
                _finiteSinceNonFinite++;
                if (double.IsNaN(_initial))
                {
                    _initial = loss;
                }

                // One sample above the loss the run started from, and LossFactor times the best: a step that threw the
                // weights out (a learning-rate spike), seen at the first update after it rather than once the average catches up.
                if (_finiteCount >= 2 && _best > 0 && loss > _initial && loss >= _options.LossFactor * _best)
                {
                    _spiked = _spikeNow = true;
                }

                _ema = double.IsNaN(_ema) ? loss : _ema + (_options.Smoothing * (loss - _ema));
                if (_ema < _best)
                {
                    _best = _ema;
                    _bestStep = frame.Step;
                }
            }
        }

        if (judged)
        {
            Decide(run);
        }
    }

    public override void OnEpoch(RunDiagnosis run, in EpochCheck check)
    {
        if (check.ValLoss is { } v && !double.IsFinite(v))
        {
            MarkNonFinite(check.ValLossName, v, check.Step, run);
            Decide(run);
        }
    }

    public override FindingContent Describe(RunDiagnosis run)
    {
        var rate = _rateAtOnset ?? run.LearningRate;
        var rateText = rate is { } r ? Text.Join($" at learning rate {Text.F(r)}") : string.Empty;
        if (_nonFinite)
        {
            return new FindingContent(
                Text.Join($"{_badMetric} was {Text.F(_badValue)} at step {Text.F(_badStep)}{rateText}: the weights are most likely NaN now, and every further step is wasted. The smoothed train loss was lowest ({Text.F(_best)}) at step {Text.F(_bestStep)}."),
                [
                    new FindingEvidence(_badMetric, _badValue, _badStep, "first non-finite value"),
                    new FindingEvidence(_lossName, _best, _bestStep, "lowest smoothed train loss before it"),
                ],
                [
                    Fixes.Stop("After a NaN the weights are ruined; continuing only burns compute."),
                    Fixes.Code(
                        "restart_lower_learning_rate",
                        Text.Join($"Restart from the last checkpoint before step {Text.F(_badStep)} with the learning rate ×{Text.F(_rates.DecreaseFactor)}{(rate is { } lr ? Text.Join($" ({Text.F(lr * _rates.DecreaseFactor)})") : string.Empty)} and clip_grad_norm_(parameters, 1.0)"),
                        "A smaller step and clipped gradients keep one bad batch from throwing the weights out of range."),
                    Fixes.Code("check_loss_inputs", "Check the batch at that step for NaN or infinite inputs and the loss for log(0) or division by zero", "A single bad sample or an unguarded log produces NaN whatever the learning rate."),
                ]);
        }

        var ratio = _ema / _best;
        if (!double.IsNaN(_spikeRatio) && !(ratio >= _options.LossFactor))
        {
            return new FindingContent(
                Text.Join($"One update changed the weights by {Text.Percent(_spikeRatio)} of their size at step {Text.F(_lastStep)}{rateText} (healthy updates are about 0.1 %): the step throws the weights out of the region training had reached, and the loss ({Text.F(_lastLoss)}) cannot recover from there."),
                [
                    new FindingEvidence(_ratioName, _spikeRatio, _lastStep, "update/weight ratio of one step", _options.MaxUpdateRatio),
                    new FindingEvidence(_lossName, _lastLoss, _lastStep, "latest train loss"),
                ],
                [
                    Fixes.ScaleLearningRate(run, _rates.DecreaseFactor, "An update this large means the rate is orders of magnitude above what the weights tolerate."),
                    Fixes.Code("warmup", "Start with a warm-up (e.g. the first 500 steps rising linearly to the target rate)", "Adaptive optimizers take full-size steps before their statistics settle; warm-up keeps the first ones small."),
                    Fixes.Code("clip_gradients", "Clip gradients: clip_grad_norm_(parameters, 1.0) before optimizer.step()", "Clipping bounds the step a single large gradient can take."),
                ]);
        }

        return new FindingContent(
            Text.Join($"{_lossName} jumped to {Text.F(_lastLoss)} at step {Text.F(_lastStep)} (smoothed {Text.F(_ema)}, {Text.Times(ratio)} its best of {Text.F(_best)} at step {Text.F(_bestStep)}; it started at {Text.F(_initial)}){rateText}: training is diverging."),
            [
                new FindingEvidence(_lossName, _ema, _lastStep, Text.Join($"smoothed train loss (EMA, weight {Text.F(_options.Smoothing)})"), _options.LossFactor * _best),
                new FindingEvidence(_lossName, _best, _bestStep, "lowest smoothed train loss"),
                new FindingEvidence(_lossName, _lastLoss, _lastStep, "latest sample"),
            ],
            [
                Fixes.ScaleLearningRate(run, _rates.DecreaseFactor, "The loss climbs because the steps overshoot; a rate an order of magnitude lower usually recovers while the weights are still finite."),
                Fixes.Code("clip_gradients", "Clip gradients: clip_grad_norm_(parameters, 1.0) before optimizer.step()", "Clipping bounds the step a single large gradient can take."),
                Fixes.CheckpointAndStop("Save a checkpoint and stop, then restart from the best checkpoint with a lower rate", "If the loss does not come back, the best weights are behind you."),
            ]);
    }

    private void MarkNonFinite(string metric, double value, long step, RunDiagnosis run)
    {
        _finiteSinceNonFinite = 0;
        if (!_nonFinite)
        {
            _nonFinite = true;
            _badMetric = metric;
            _badValue = value;
            _badStep = step;
            _rateAtOnset = run.LearningRate;
        }
    }

    private void Decide(RunDiagnosis run)
    {
        if (_nonFinite && _finiteSinceNonFinite >= run.Options.ResolveAfterChecks && _ema <= _options.LossFactor * _best)
        {
            _nonFinite = false;
        }

        if (_nonFinite)
        {
            Confidence = 1;
            Judge(true, 1e6);
            return;
        }

        if (_spiked && !_spikeNow && _ema <= 1.5 * _best)
        {
            _spiked = false;
        }

        _spikeNow = false;
        var blownUp = _spiked || (_finiteCount >= 3 && _best > 0 && _ema > _options.LossFactor * _best && _ema - _best > 0.5 * (_initial - _best));
        if (blownUp && !Active)
        {
            _rateAtOnset = run.LearningRate;
        }

        Confidence = blownUp ? Math.Min(1, 0.6 + (0.1 * _ema / (_options.LossFactor * _best))) : Confidence;
        Judge(blownUp, blownUp ? _ema / _best : 0);
    }
}
