namespace TrainInsight.Llm.Internal.Context;

/// <summary>What the assistant knows of one run, read from the store and the bus: the raw material of its context.</summary>
internal sealed class RunData
{
    public required RunDescriptor Run { get; init; }

    public required RunState State { get; init; }

    public long? Step { get; init; }

    public int? Epoch { get; init; }

    public required DateTimeOffset LastEventAt { get; init; }

    /// <summary>Gets each metric's series, in the order the context ranks them (losses, accuracies, learning rate, ...).</summary>
    public required IReadOnlyList<SeriesSummary> Series { get; init; }

    /// <summary>Gets the open findings, most severe first.</summary>
    public required IReadOnlyList<FindingEvent> Findings { get; init; }

    /// <summary>Gets the control commands the run handled, oldest first.</summary>
    public required IReadOnlyList<ControlRecord> Commands { get; init; }

    /// <summary>Gets the largest store offset covered (events after it came from the bus's ring).</summary>
    public long LastOffset { get; init; }

    public SeriesSummary? Find(string name) => Series.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    /// <summary>Gets the current learning rate: the latest reported value, else the hyperparameter.</summary>
    public double? LearningRate => Find(MetricNames.LearningRate) is { Count: > 0 } lr
        ? lr.Last.Value
        : Run.Hyperparameters.TryGetValue(HyperparameterNames.LearningRate, out var value) && value.Kind == HyperparameterKind.Number ? value.Number : null;
}
