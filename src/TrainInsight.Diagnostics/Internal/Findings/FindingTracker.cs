namespace TrainInsight.Diagnostics.Internal;

/// <summary>
/// The lifecycle of one label's findings in one run: raised once per episode, updated as the evidence grows (at most every
/// <see cref="DiagnosticsOptions.MinUpdateInterval"/> checks, at once when the severity changes) and resolved after
/// <see cref="DiagnosticsOptions.ResolveAfterChecks"/> judgements in a row without the condition.
/// </summary>
internal sealed class FindingTracker(Detector detector)
{
    private int _episode;
    private int _revision;
    private int _clearChecks;
    private long _checksAtRevision;
    private double _magnitudeAtRevision;
    private FindingSeverity _severityAtRevision;
    private long _firstStep;
    private DateTimeOffset _firstSeenAt;

    public Detector Detector { get; } = detector;

    public bool IsOpen { get; private set; }

    /// <summary>The latest revision of the latest episode, or <see langword="null"/> before the first.</summary>
    public FindingEvent? Latest { get; private set; }

    /// <summary>Turns the detector's latest judgement into a new revision, or <see langword="null"/> when nothing changed.</summary>
    public FindingEvent? Evaluate(RunDiagnosis run, long step, DateTimeOffset timestamp)
    {
        var detector = Detector;
        if (!detector.Judged)
        {
            return null;
        }

        detector.Judged = false;
        if (detector.Active)
        {
            _clearChecks = 0;
            if (!IsOpen)
            {
                if (run.IsExplained(detector))
                {
                    return null;
                }

                IsOpen = true;
                _episode++;
                _revision = 0;
                _firstStep = step;
                _firstSeenAt = timestamp;
                return Publish(run, step, timestamp, FindingState.Open);
            }

            var grew = detector.Magnitude >= 2 * _magnitudeAtRevision && run.Checks - _checksAtRevision >= run.Options.MinUpdateInterval;
            return detector.Severity != _severityAtRevision || grew ? Publish(run, step, timestamp, FindingState.Open) : null;
        }

        if (IsOpen && ++_clearChecks >= run.Options.ResolveAfterChecks)
        {
            IsOpen = false;
            return Publish(run, step, timestamp, FindingState.Resolved);
        }

        return null;
    }

    private FindingEvent Publish(RunDiagnosis run, long step, DateTimeOffset timestamp, FindingState state)
    {
        var detector = Detector;
        _revision++;
        _checksAtRevision = run.Checks;
        _severityAtRevision = detector.Severity;
        var content = state == FindingState.Open ? detector.Describe(run) : null;
        var previous = Latest;
        var message = content?.Message ?? Text.Join(
            $"Resolved at step {Text.F(step)}: the condition did not hold for {run.Options.ResolveAfterChecks} checks in a row. When last open: {previous?.Message}");
        if (state == FindingState.Open)
        {
            _magnitudeAtRevision = detector.Magnitude;
        }

        Latest = new FindingEvent(run.Run, Text.Join($"{run.Run.Id}/{detector.Label}/{_episode}"), detector.Label, detector.Severity, state, message, timestamp)
        {
            Confidence = Math.Clamp(detector.Confidence, 0, 1),
            Revision = _revision,
            FirstStep = _firstStep,
            Step = step,
            FirstSeenAt = _firstSeenAt,
            Evidence = content?.Evidence ?? previous?.Evidence ?? [],
            Fixes = content?.Fixes ?? previous?.Fixes ?? [],
        };
        return Latest;
    }
}
