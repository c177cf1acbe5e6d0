namespace TrainInsight.DiagnosisBenchmark;

/// <summary>A mistake on the command line; the message says what.</summary>
internal sealed class UsageException(string message) : Exception(message);
