using System.Globalization;

namespace TrainInsight.Torch.Internal;

/// <summary>
/// Early stopping: follows the chosen validation metric at each epoch end and says when it has not improved by more than
/// the minimum delta for as many validations as the patience. Training thread only.
/// </summary>
internal sealed class EarlyStopper
{
    private readonly bool _onAccuracy;
    private readonly double _minDelta;
    private int _patience;
    private double _best = double.NaN;
    private int _bestEpoch;
    private int _withoutImprovement;

    public EarlyStopper(EarlyStoppingOptions? options)
    {
        _patience = options?.Patience ?? 0;
        _onAccuracy = options?.Metric == EarlyStoppingMetric.ValidationAccuracy;
        _minDelta = options?.MinDelta ?? 0;
    }

    public string MetricName => _onAccuracy ? MetricNames.ValAccuracy : MetricNames.ValLoss;

    /// <summary>Tracks an epoch-end validation; returns why the run must stop, or <see langword="null"/>.</summary>
    public string? Observe(double? validationLoss, double? validationAccuracy, int epoch)
    {
        if ((_onAccuracy ? validationAccuracy : validationLoss) is not { } value)
        {
            return null;
        }

        // NaN (a diverged run) never improves.
        var improved = !double.IsNaN(value) && (double.IsNaN(_best)
            || (_onAccuracy ? value > _best + _minDelta : value < _best - _minDelta));
        if (improved)
        {
            _best = value;
            _bestEpoch = epoch;
            _withoutImprovement = 0;
            return null;
        }

        _withoutImprovement++;
        if (_patience == 0 || _withoutImprovement < _patience)
        {
            return null;
        }

        var best = double.IsNaN(_best) ? "no valid value yet" : $"best {Text(_best)} at epoch {_bestEpoch}";
        return $"Early stopping: {MetricName} has not improved by more than {Text(_minDelta)} for {_withoutImprovement} epoch-end validations ({best}).";
    }

    /// <summary>Applies a <see cref="ControlAction.SetEarlyStopping"/> command's value.</summary>
    public (ControlStatus Status, string Message) SetPatience(double? value)
    {
        if (value is not { } patience || !double.IsFinite(patience) || patience < 0 || patience > EarlyStoppingOptions.MaxPatience
            || Math.Floor(patience) != patience)
        {
            return (ControlStatus.Rejected, $"The early-stopping patience must be a whole number from 0 (off) to {EarlyStoppingOptions.MaxPatience.ToString("N0", CultureInfo.InvariantCulture)}; got {OptimizerSettings.Describe(value)}. Nothing was changed.");
        }

        _patience = (int)patience;
        if (_patience == 0)
        {
            return (ControlStatus.Applied, "Early stopping is off.");
        }

        var best = double.IsNaN(_best) ? "no validation yet" : $"best {Text(_best)} at epoch {_bestEpoch}";
        return (ControlStatus.Applied,
            $"Early stopping on {MetricName} with patience {_patience}: {_withoutImprovement} epoch-end validation(s) without improvement so far ({best}).");
    }

    private static string Text(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
