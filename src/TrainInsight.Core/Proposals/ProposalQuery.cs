namespace TrainInsight;

/// <summary>Which proposals to read: their latest revisions, the most recently made first.</summary>
public sealed class ProposalQuery
{
    private int _limit = 100;
    private ProposalState? _state;

    /// <summary>Gets or initializes the run the proposals steer, or <see langword="null"/> for every run. The default is <see langword="null"/>.</summary>
    public string? RunId { get; init; }

    /// <summary>Gets or sets the state the proposals must be in now, or <see langword="null"/> for any. The default is <see langword="null"/>.</summary>
    public ProposalState? State
    {
        get => _state;
        set => _state = value is { } s && !Enum.IsDefined(s) ? throw new ArgumentOutOfRangeException(nameof(value), value, "Unknown proposal state.") : value;
    }

    /// <summary>Gets or sets the most proposals to read. Between 1 and 10,000. The default is 100.</summary>
    public int Limit
    {
        get => _limit;
        set => _limit = value is >= 1 and <= 10_000 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Limit must be between 1 and 10,000.");
    }
}
