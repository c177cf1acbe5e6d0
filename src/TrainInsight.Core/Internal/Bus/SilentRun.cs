namespace TrainInsight.Internal;

/// <summary>A run the bus has not heard from for a while: what a lost notice says about it.</summary>
internal readonly record struct SilentRun(RunDescriptor Run, long? Step, int? Epoch, long LastSeen);
