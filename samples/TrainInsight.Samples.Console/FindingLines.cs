using System.Globalization;

namespace TrainInsight.Samples.Console;

/// <summary>
/// The progress view's lines for findings: one when a finding is raised, when its severity changes and when it is resolved
/// (its other revisions only add evidence), each a whole line, readable in a log file.
/// </summary>
internal sealed class FindingLines
{
    private readonly Dictionary<string, FindingSeverity> _shown = new(StringComparer.Ordinal);

    /// <summary>The line for a finding revision, or null when it says nothing new.</summary>
    public string? Describe(FindingEvent finding)
    {
        var severity = finding.Severity.ToString().ToUpperInvariant();
        if (finding.State == FindingState.Resolved)
        {
            _shown.Remove(finding.FindingId);
            return string.Create(CultureInfo.InvariantCulture, $"finding resolved: {severity} {finding.Label} at step {finding.Step:N0} (raised at step {finding.FirstStep:N0})");
        }

        if (_shown.TryGetValue(finding.FindingId, out var shown) && shown == finding.Severity)
        {
            return null;
        }

        var verb = _shown.ContainsKey(finding.FindingId) ? "now" : "raised";
        _shown[finding.FindingId] = finding.Severity;
        var fix = finding.Fixes.Count > 0 ? " - fix: " + finding.Fixes[0].Title : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"finding {verb}: {severity} {finding.Label} at step {finding.Step:N0}{fix}");
    }
}
