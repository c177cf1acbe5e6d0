using TrainInsight.DiagnosisBenchmark.Traces;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>A finished live run: its trace header and every event its bus subscription yielded.</summary>
internal sealed record RunOutcome(TraceHeader Header, IReadOnlyList<TrainInsightEvent> Events);
