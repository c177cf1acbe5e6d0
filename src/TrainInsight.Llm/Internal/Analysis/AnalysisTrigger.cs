namespace TrainInsight.Llm.Internal.Analysis;

/// <summary>What asks for an automatic analysis: a new finding (<c>finding</c>) or an epoch's end (<c>epoch</c>).</summary>
internal sealed record AnalysisTrigger(RunDescriptor Run, string Kind, string? FindingId, int? Epoch, long? Step);
