using TrainInsight.Diagnostics;

namespace TrainInsight.Cli.Diagnosis;

/// <summary>What the diagnosis of one run (or train/validation pair) found.</summary>
/// <param name="Group">The runs read.</param>
/// <param name="Findings">The latest revision of each finding, in the order raised.</param>
/// <param name="Coverage">For each label, whether it could be judged.</param>
internal sealed record RunReport(RunGroup Group, IReadOnlyList<FindingEvent> Findings, IReadOnlyList<LabelCoverage> Coverage)
{
    /// <summary>Gets the most serious severity among the findings, open or resolved, or <see langword="null"/> with none.</summary>
    public FindingSeverity? WorstSeverity => Findings.Count == 0 ? null : Findings.Max(f => f.Severity);

    /// <summary>Gets whether no finding is a warning or worse.</summary>
    public bool IsHealthy => WorstSeverity is null or FindingSeverity.Info;
}
