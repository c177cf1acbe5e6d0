namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// A NaN or infinite loss, gradient norm or validation loss; or a smoothed <c>train_loss</c> that blew up to
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
        return new FindingContent(
            Text.Join($"The smoothed {_lossName} rose to {Text.F(_ema)} at step {Text.F(_lastStep)}, {Text.Times(ratio)} its best ({Text.F(_best)} at step {Text.F(_bestStep)}) and above half-way back to its start ({Text.F(_initial)}){rateText}: training is diverging."),
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

        var blownUp = _finiteCount >= 3 && _best > 0 && _ema > _options.LossFactor * _best && _ema - _best > 0.5 * (_initial - _best);
        if (blownUp && !Active)
        {
            _rateAtOnset = run.LearningRate;
        }

        Confidence = blownUp ? Math.Min(1, 0.6 + (0.1 * _ema / (_options.LossFactor * _best))) : Confidence;
        Judge(blownUp, blownUp ? _ema / _best : 0);
    }
}
