using TrainInsight.DiagnosisBenchmark.Scoring;

namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>Fix efficacy for one fault run: the unfixed trace, the live fixes tried, the baseline and the code fix from the start.</summary>
internal sealed record FixRunResult
{
    public required ScoredRun Unfixed { get; init; }

    /// <summary>Gets whether the run qualifies (true label found, with a live fix).</summary>
    public required bool Eligible { get; init; }

    public string? Reason { get; init; }

    public IReadOnlyList<string> LiveFixesOfTrueFinding { get; init; } = [];

    public string? TopFixKind { get; init; }

    public IReadOnlyList<FixAttempt> Fixes { get; init; } = [];

    public FixAttempt? Baseline { get; init; }

    public bool FixAt1 => Fixes.Count > 0 && Fixes[0].Success;

    public bool FixAt3 => Fixes.Take(3).Any(f => f.Success);

    /// <summary>Gets the code fix from the start (not a live fix): the fault removed, trained from scratch.</summary>
    public CodeFixResult? CodeFix { get; init; }
}
