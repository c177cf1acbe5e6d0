namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>What a live fix run does when the first finding at Warning or above arrives.</summary>
/// <param name="FixIndex">Apply the finding's live fix at this index (0 = its top live fix), or <see langword="null"/> for the random baseline.</param>
/// <param name="BaselineSeed">The seed of the baseline's random choice.</param>
internal sealed record FixChoice(int? FixIndex, int BaselineSeed = 0)
{
    public bool IsBaseline => FixIndex is null;

    public string Suffix => FixIndex is { } k ? $"fix{k + 1}" : "baseline";
}
