namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// Reports, once a run has sent <see cref="DiagnosticsOptions.CoverageAfterChecks"/> metric updates, the labels it cannot be
/// judged on because their signals never came (an <see cref="FindingSeverity.Info"/> finding), instead of guessing them;
/// updated when the list shrinks, resolved when every label is covered.
/// </summary>
internal sealed class SignalsMissingTracker(RunDiagnosis run)
{
    private int _revision;
    private int _missingCount = -1;
    private long _firstStep;
    private DateTimeOffset _firstSeenAt;

    public FindingEvent? Latest { get; private set; }

    public void Evaluate(long step, DateTimeOffset timestamp, List<FindingEvent> output)
    {
        var every = run.Options.CoverageAfterChecks;
        if (run.MetricChecks < every || run.MetricChecks % every != 0)
        {
            return;
        }

        var missing = 0;
        foreach (var tracker in run.Trackers)
        {
            if (IsMissing(tracker.Detector))
            {
                missing++;
            }
        }

        if (missing == _missingCount || (missing == 0 && Latest is null))
        {
            _missingCount = missing;
            return;
        }

        _missingCount = missing;
        if (Latest is null)
        {
            _firstStep = step;
            _firstSeenAt = timestamp;
        }

        _revision++;
        var lines = run.Trackers.Where(t => IsMissing(t.Detector)).Select(t => Text.Join($"{t.Detector.Label} (needs {t.Detector.NeededSignals})")).ToList();
        var message = missing == 0
            ? Text.Join($"Every label can now be judged: the run sends the signals each needs (step {Text.F(step)}).")
            : Text.Join($"{missing} of {run.Trackers.Length} labels cannot be judged because the run does not send their signals, so they are not guessed: {string.Join("; ", lines)}.");
        Latest = new FindingEvent(run.Run, run.Run.Id + "/" + FindingLabels.SignalsMissing + "/1", FindingLabels.SignalsMissing, FindingSeverity.Info, missing == 0 ? FindingState.Resolved : FindingState.Open, message, timestamp)
        {
            Confidence = 1,
            Revision = _revision,
            FirstStep = _firstStep,
            Step = step,
            FirstSeenAt = _firstSeenAt,
            Fixes = missing == 0 ? [] :
            [
                Fixes.Code(
                    "send_signals",
                    "With TrainInsight.Torch, turn on TorchMonitorOptions.GradientNorm, LayerStatistics and ActivationStatistics and call RecordInput and RecordStep(loss, output, target); with another trainer, log the named metrics (or map your names with DiagnosticsOptions.Aliases)",
                    "Each label is judged only from the signals that show it; a missing signal leaves the label undecided rather than guessed."),
            ],
        };
        output.Add(Latest);
    }

    // Labels judged at validations cannot expect their signals before the first one (or, for a run that never validates,
    // ten times the usual number of updates).
    private bool IsMissing(Detector detector) =>
        !detector.IsCovered(run) && (!detector.NeedsValidation || run.Validations > 0 || run.MetricChecks >= 10L * run.Options.CoverageAfterChecks);
}
