namespace TrainInsight.DiagnosisBenchmark.Scoring;

/// <summary>Time to detect the true label from the fault's onset, over the runs where it was detected.</summary>
internal sealed record DetectionTimes(string Group, int Detected, int Runs, double? MedianChecks, double? P90Checks, double? MedianPercent, double? P90Percent);
