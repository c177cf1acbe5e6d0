namespace TrainInsight;

/// <summary>What a bus needs from its store to continue offsets and sequences after a restart.</summary>
public sealed class StoreState
{
    /// <summary>Gets an empty state: nothing stored yet.</summary>
    public static StoreState Empty { get; } = new();

    /// <summary>Gets the offset of the latest stored event, or 0 when none is stored.</summary>
    public long LastOffset { get; init; }

    /// <summary>Gets the sequence of the latest stored event of each run, by run id.</summary>
    public IReadOnlyDictionary<string, long> LastSequences { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);
}
