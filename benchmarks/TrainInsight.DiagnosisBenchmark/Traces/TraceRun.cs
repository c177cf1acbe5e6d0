namespace TrainInsight.DiagnosisBenchmark.Traces;

/// <summary>A trace read back: its header, the run it describes and its events, rebuilt in the order they were recorded.</summary>
/// <param name="Path">The trace file.</param>
/// <param name="Header">The header line.</param>
/// <param name="Run">The run descriptor (id = the file name stem) that every event references.</param>
/// <param name="Events">The metric and training events, in bus order.</param>
public sealed record TraceRun(string Path, TraceHeader Header, RunDescriptor Run, IReadOnlyList<TrainInsightEvent> Events)
{
    /// <summary>Gets the metric events only.</summary>
    public IEnumerable<MetricEvent> Metrics => Events.OfType<MetricEvent>();
}
