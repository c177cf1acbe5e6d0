namespace TrainInsight;

/// <summary>One value of one metric of a run, as stored.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Name">The metric's name.</param>
/// <param name="Step">The step at which it was measured.</param>
/// <param name="Value">The value; NaN and infinities are kept as they are.</param>
/// <param name="Timestamp">When it was measured.</param>
/// <param name="Sequence">The sequence of the event that carried it.</param>
/// <param name="Offset">The offset of the event that carried it.</param>
public readonly record struct MetricPoint(string RunId, string Name, long Step, double Value, DateTimeOffset Timestamp, long Sequence, long Offset);
