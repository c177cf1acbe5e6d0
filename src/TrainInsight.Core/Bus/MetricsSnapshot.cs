namespace TrainInsight;

/// <summary>The latest known value of every metric of one run, merged across events.</summary>
public sealed class MetricsSnapshot
{
    /// <summary>Gets the run.</summary>
    public required RunDescriptor Run { get; init; }

    /// <summary>Gets the run's state as last reported.</summary>
    public required RunState State { get; init; }

    /// <summary>Gets the latest global step reported, or <see langword="null"/> when no metric arrived yet.</summary>
    public long? Step { get; init; }

    /// <summary>Gets the latest epoch reported, or <see langword="null"/>.</summary>
    public int? Epoch { get; init; }

    /// <summary>Gets the latest batch index reported, or <see langword="null"/>.</summary>
    public int? Batch { get; init; }

    /// <summary>Gets the time of the latest event of the run.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>Gets the offset of the latest event of the run.</summary>
    public required long Offset { get; init; }

    /// <summary>Gets the sequence number of the latest event of the run.</summary>
    public required long Sequence { get; init; }

    /// <summary>Gets the latest value of every metric the run reported.</summary>
    public required IReadOnlyDictionary<string, double> Values { get; init; }
}
