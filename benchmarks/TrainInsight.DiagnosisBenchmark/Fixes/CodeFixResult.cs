namespace TrainInsight.DiagnosisBenchmark.Fixes;

/// <summary>A code fix applied from the start (NOT a live fix): the scenario re-trained with its fault removed.</summary>
/// <param name="FixId">The top fix's id (a code change).</param>
/// <param name="FixTitle">What the fix says to do.</param>
/// <param name="Change">What the re-run changed.</param>
/// <param name="FinalValAccuracy">The fault-free run's final validation accuracy.</param>
/// <param name="SamplesPerSecond">Its throughput.</param>
/// <param name="Improvement">Accuracy gained over the unfixed trace (throughput ratio for the data-loader bottleneck).</param>
/// <param name="Source">Where the number comes from: a live re-run, or a healthy trace of the identical recipe and seed at the same epoch.</param>
internal sealed record CodeFixResult(string FixId, string FixTitle, string Change, double FinalValAccuracy, double SamplesPerSecond, double Improvement, string Source);
