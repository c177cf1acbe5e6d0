namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>What a live fix run actually did: the finding that triggered it and the commands it submitted (or why none).</summary>
internal sealed record AppliedFix
{
    public string? TriggerLabel { get; init; }

    public long? TriggerStep { get; init; }

    public long? AppliedAtStep { get; init; }

    /// <summary>Gets how many live fixes the triggering finding carried (0 when none arrived).</summary>
    public int LiveFixCount { get; init; }

    public string? FixId { get; init; }

    public string? FixTitle { get; init; }

    public IReadOnlyList<string> Commands { get; init; } = [];

    /// <summary>Gets why nothing was applied (no finding arrived, the finding had no such live fix), or <see langword="null"/>.</summary>
    public string? NotApplied { get; init; }
}
