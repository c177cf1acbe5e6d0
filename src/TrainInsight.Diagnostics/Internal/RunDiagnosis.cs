namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// The diagnosis state of one run (or of a Keras-style train/validation pair): the signal map, the detectors in priority
/// order and their finding trackers. Each event costs O(signals + detectors); nothing is re-scanned.
/// </summary>
internal sealed class RunDiagnosis
{
    private const int LayerSlot = 1_000;
    private const int Ignored = -1;

    private readonly Dictionary<string, int> _trainSlots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _validationSlots = new(StringComparer.Ordinal);
    private readonly Shape _trainShape = new();
    private readonly Shape _validationShape = new();
    private readonly List<string> _layers = [];
    private readonly SignalFrame _frame = new();
    private readonly FindingTracker[] _trackers;
    private readonly SignalsMissingTracker _coverage;
    private double _trainLossSum;
    private int _trainLossCount;
    private double _trainAccuracyEma = double.NaN;
    private int? _lastValidatedEpoch;
    private int _validations;
    private string _trainLossName = MetricNames.TrainLoss;
    private string _trainAccuracyName = MetricNames.TrainAccuracy;

    public RunDiagnosis(RunDescriptor run, DiagnosticsOptions options)
    {
        Run = run;
        Options = options;
        _trackers = [.. Detectors.Create(options).Select(d => new FindingTracker(d))];
        _coverage = new SignalsMissingTracker(this);
    }

    /// <summary>The run findings are reported on (the training side of a pair).</summary>
    public RunDescriptor Run { get; set; }

    public bool HasTrainSide { get; set; }

    public DiagnosticsOptions Options { get; }

    /// <summary>Metric updates that carried a signal, plus validations: the unit of time-to-detect.</summary>
    public long Checks { get; private set; }

    public long MetricChecks { get; private set; }

    /// <summary>Every signal any update carried so far.</summary>
    public int SeenSignals { get; private set; }

    public bool SeenLayerGradients { get; private set; }

    /// <summary>The latest finite learning rate reported.</summary>
    public double? LearningRate { get; private set; }

    /// <summary>The step of the latest event.</summary>
    public long LastStep { get; private set; }

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp of the latest event, for forgetting idle runs.</summary>
    public long LastTouched { get; set; }

    public FindingTracker[] Trackers => _trackers;

    public FindingEvent? CoverageFinding => _coverage.Latest;

    /// <summary>How many validations the run reported.</summary>
    public int Validations => _validations;

    public bool HasSeen(Signal signal) => (SeenSignals & (1 << (int)signal)) != 0;

    public bool IsOpen(string label)
    {
        foreach (var tracker in _trackers)
        {
            if (tracker.IsOpen && string.Equals(tracker.Detector.Label, label, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether an open finding of a label that explains <paramref name="detector"/>'s symptoms exists.</summary>
    public bool IsExplained(Detector detector)
    {
        foreach (var label in detector.ExplainedBy)
        {
            if (IsOpen(label))
            {
                return true;
            }
        }

        return false;
    }

    public void ObserveMetrics(MetricEvent metrics, bool validationSide, List<FindingEvent> output)
    {
        LastStep = Math.Max(LastStep, metrics.Step);
        var frame = _frame;
        frame.Reset(metrics.Step, metrics.Epoch);
        if (metrics.Values is Dictionary<string, double> dictionary)
        {
            MapShaped(frame, dictionary, validationSide);
        }
        else
        {
            foreach (var (name, value) in metrics.Values)
            {
                Map(frame, name, value, validationSide);
            }
        }

        if (frame.Present == 0)
        {
            return;
        }

        SeenSignals |= frame.Present;
        SeenLayerGradients |= frame.HasLayerGradients;
        if (frame.Has(Signal.LearningRate) && double.IsFinite(frame[Signal.LearningRate]))
        {
            LearningRate = frame[Signal.LearningRate];
        }

        if (frame.Has(Signal.TrainLoss) && double.IsFinite(frame[Signal.TrainLoss]))
        {
            _trainLossSum += frame[Signal.TrainLoss];
            _trainLossCount++;
            _trainLossName = frame.NameOf(Signal.TrainLoss);
        }

        if (frame.Has(Signal.TrainAccuracy) && double.IsFinite(frame[Signal.TrainAccuracy]))
        {
            // Smoothed, not averaged since the last validation: during the first epochs the batch accuracy climbs, and the
            // epoch's mean lags far behind the accuracy the model has at the validation.
            var accuracy = frame[Signal.TrainAccuracy];
            _trainAccuracyName = frame.NameOf(Signal.TrainAccuracy);
            _trainAccuracyEma = double.IsNaN(_trainAccuracyEma) ? accuracy : _trainAccuracyEma + (0.3 * (accuracy - _trainAccuracyEma));
        }

        Checks++;
        MetricChecks++;
        foreach (var tracker in _trackers)
        {
            tracker.Detector.OnSample(this, frame);
        }

        Evaluate(metrics.Step, metrics.Timestamp, output);

        if (frame.Has(Signal.ValLoss) || frame.Has(Signal.ValAccuracy))
        {
            var epoch = metrics.Epoch;
            if (epoch is null || epoch != _lastValidatedEpoch)
            {
                Validate(
                    epoch,
                    metrics.Step,
                    metrics.Timestamp,
                    frame.Has(Signal.ValLoss) ? frame[Signal.ValLoss] : null,
                    frame.Has(Signal.ValAccuracy) ? frame[Signal.ValAccuracy] : null,
                    frame.NameOf(Signal.ValLoss),
                    frame.NameOf(Signal.ValAccuracy),
                    output);
            }
        }

        _coverage.Evaluate(metrics.Step, metrics.Timestamp, output);
    }

    public void ObserveEpoch(TrainingEvent completed, List<FindingEvent> output)
    {
        if (completed.Epoch is { } epoch && epoch == _lastValidatedEpoch)
        {
            return;
        }

        double? valLoss = null;
        double? valAccuracy = null;
        string lossName = MetricNames.ValLoss, accuracyName = MetricNames.ValAccuracy;
        foreach (var (name, value) in completed.Metrics)
        {
            var canonical = Options.Aliases.Resolve(name);
            if (string.Equals(canonical, MetricNames.ValLoss, StringComparison.OrdinalIgnoreCase))
            {
                valLoss = value;
                lossName = name;
            }
            else if (string.Equals(canonical, MetricNames.ValAccuracy, StringComparison.OrdinalIgnoreCase))
            {
                valAccuracy = value;
                accuracyName = name;
            }
        }

        if (valLoss is null && valAccuracy is null)
        {
            return;
        }

        LastStep = Math.Max(LastStep, completed.Step ?? 0);
        Validate(completed.Epoch, completed.Step ?? LastStep, completed.Timestamp, valLoss, valAccuracy, lossName, accuracyName, output);
    }

    private void Validate(int? epoch, long step, DateTimeOffset timestamp, double? valLoss, double? valAccuracy, string lossName, string accuracyName, List<FindingEvent> output)
    {
        _validations++;
        _lastValidatedEpoch = epoch;
        var check = new EpochCheck(
            epoch ?? _validations,
            step,
            valLoss,
            valAccuracy,
            _trainLossCount > 0 ? _trainLossSum / _trainLossCount : null,
            double.IsNaN(_trainAccuracyEma) ? null : _trainAccuracyEma)
        {
            ValLossName = lossName,
            ValAccuracyName = accuracyName,
            TrainLossName = _trainLossName,
            TrainAccuracyName = _trainAccuracyName,
        };
        _trainLossSum = 0;
        _trainLossCount = 0;
        if (valLoss is not null)
        {
            SeenSignals |= 1 << (int)Signal.ValLoss;
        }

        if (valAccuracy is not null)
        {
            SeenSignals |= 1 << (int)Signal.ValAccuracy;
        }

        Checks++;
        foreach (var tracker in _trackers)
        {
            tracker.Detector.OnEpoch(this, check);
        }

        Evaluate(step, timestamp, output);
    }

    private void Evaluate(long step, DateTimeOffset timestamp, List<FindingEvent> output)
    {
        // Priority order: a root cause raised in this event explains the symptoms judged after it.
        foreach (var tracker in _trackers)
        {
            if (tracker.Evaluate(this, step, timestamp) is { } finding)
            {
                output.Add(finding);
            }
        }
    }

    // A trainer sends the same names in the same order update after update (usually the same string instances): the
    // slots of the previous update's names are reused without hashing, and only a new shape costs lookups (and allocates).
    private void MapShaped(SignalFrame frame, Dictionary<string, double> values, bool validationSide)
    {
        var shape = validationSide ? _validationShape : _trainShape;
        var keys = shape.Keys;
        var slots = shape.Slots;
        var same = values.Count == keys.Length;
        var i = 0;
        foreach (var (name, value) in values)
        {
            int slot;
            if (same && ReferenceEquals(keys[i], name))
            {
                slot = slots[i];
            }
            else
            {
                same = false;
                slot = SlotOf(name, validationSide);
            }

            Apply(frame, slot, name, value);
            i++;
        }

        if (!same)
        {
            Reshape(shape, values, validationSide);
        }
    }

    // Apart from MapShaped: a lambda there would allocate its closure on every call.
    private void Reshape(Shape shape, Dictionary<string, double> values, bool validationSide)
    {
        shape.Keys = [.. values.Keys];
        shape.Slots = [.. shape.Keys.Select(k => SlotOf(k, validationSide))];
    }

    private void Map(SignalFrame frame, string name, double value, bool validationSide) =>
        Apply(frame, SlotOf(name, validationSide), name, value);

    private int SlotOf(string name, bool validationSide)
    {
        var slots = validationSide ? _validationSlots : _trainSlots;
        if (!slots.TryGetValue(name, out var slot))
        {
            slot = Resolve(name, validationSide);
            slots.Add(name, slot);
        }

        return slot;
    }

    private void Apply(SignalFrame frame, int slot, string name, double value)
    {
        if (slot == Ignored)
        {
            return;
        }

        if (slot >= LayerSlot)
        {
            var index = slot - LayerSlot;
            frame.SetLayerGradient(index, _layers[index], value, 0, _layers.Count - 1);
            return;
        }

        frame.Set((Signal)slot, name, value);
    }

    private int Resolve(string name, bool validationSide)
    {
        var canonical = Options.Aliases.Resolve(name);
        if (canonical.StartsWith(SignalNames.LayerGradientPrefix, StringComparison.OrdinalIgnoreCase) && canonical.Length > SignalNames.LayerGradientPrefix.Length)
        {
            if (validationSide)
            {
                return Ignored;
            }

            _layers.Add(canonical[SignalNames.LayerGradientPrefix.Length..]);
            return LayerSlot + _layers.Count - 1;
        }

        if (!SignalNames.TryParse(canonical, out var signal))
        {
            return Ignored;
        }

        if (validationSide)
        {
            // A validation run's loss and accuracy are the pair's validation metrics; its other signals say nothing of training.
            return signal switch
            {
                Signal.TrainLoss or Signal.ValLoss => (int)Signal.ValLoss,
                Signal.TrainAccuracy or Signal.ValAccuracy => (int)Signal.ValAccuracy,
                _ => Ignored,
            };
        }

        return (int)signal;
    }

    private sealed class Shape
    {
        public string[] Keys { get; set; } = [];

        public int[] Slots { get; set; } = [];
    }
}
