namespace TrainInsight;

/// <summary>A stored run: its description and what its latest events say about it.</summary>
public sealed class StoredRun
{
    /// <summary>Gets the run's description, as its first stored event carried it.</summary>
    public required RunDescriptor Run { get; init; }

    /// <summary>Gets the run's latest known state (<see cref="RunState.Training"/> until an event says otherwise).</summary>
    public required RunState State { get; init; }

    /// <summary>Gets the time of the run's first stored event.</summary>
    public required DateTimeOffset FirstEventAt { get; init; }

    /// <summary>Gets the time of the run's latest stored event.</summary>
    public required DateTimeOffset LastEventAt { get; init; }

    /// <summary>Gets the number of events of the run the store received (retention may since have removed some).</summary>
    public required long EventCount { get; init; }

    /// <summary>Gets the sequence of the run's latest stored event.</summary>
    public required long LastSequence { get; init; }

    /// <summary>Gets the offset of the run's latest stored event.</summary>
    public required long LastOffset { get; init; }

    /// <summary>Gets the latest step reported, or <see langword="null"/> when none was.</summary>
    public long? LastStep { get; init; }

    /// <summary>Gets the latest epoch reported, or <see langword="null"/> when none was.</summary>
    public int? LastEpoch { get; init; }

    /// <summary>Gets the names of the metrics the run reported in <see cref="MetricEvent"/>s, sorted ordinally.</summary>
    public required IReadOnlyList<string> MetricNames { get; init; }
}
