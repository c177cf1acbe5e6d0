namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary>A finding revision at Warning or above, as first seen in a replay: label, severity, the step it came at and its fixes.</summary>
/// <param name="Label">The finding's label.</param>
/// <param name="Severity">Its severity at that revision.</param>
/// <param name="Step">The step of the event that raised it (or raised it to Warning).</param>
/// <param name="Checks">How many metric updates of the run had been observed by then (all of them, not only since the onset).</param>
/// <param name="Fixes">Its suggested fixes, the most promising first.</param>
internal sealed record RaisedFinding(string Label, FindingSeverity Severity, long Step, int Checks, IReadOnlyList<SuggestedFix> Fixes)
{
    public IReadOnlyList<SuggestedFix> LiveFixes => [.. Fixes.Where(f => f.Kind == FixKind.LiveAction)];
}
