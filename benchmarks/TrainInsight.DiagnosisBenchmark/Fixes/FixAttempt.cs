namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>One live re-run with a fix (or the baseline action): what was applied and what the run achieved.</summary>
internal sealed record FixAttempt(string Kind, AppliedFix Applied, double FinalValAccuracy, double SamplesPerSecond, double Improvement, bool Success, string Trace, double WallSeconds);
