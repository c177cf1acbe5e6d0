namespace TrainInsight.Diagnostics.Internal;

/// <summary>What a detector says about its finding: built only when a finding is raised, updated or resolved.</summary>
internal sealed record FindingContent(string Message, IReadOnlyList<FindingEvidence> Evidence, IReadOnlyList<SuggestedFix> Fixes);
