namespace TrainInsight.Proposals.Internal;

/// <summary>One proposal in the manager: its revisions and, once approved, the commands it waits for and its windows.</summary>
internal sealed class Entry(ProposalEvent first)
{
    public List<ProposalEvent> History { get; } = [first];

    public ProposalEvent Latest => History[^1];

    public string Id => first.ProposalId;

    /// <summary>The proposal's commands as submitted, in order, by id; removed as acknowledgements arrive.</summary>
    public List<ControlCommand> Waiting { get; } = [];

    /// <summary>The checkpoint command submitted before the proposal's commands, or <see langword="null"/>.</summary>
    public string? CheckpointCommandId { get; set; }

    public string? CheckpointPath { get; set; }

    public string? CheckpointNote { get; set; }

    /// <summary>What each acknowledged command did, for the failure's reason.</summary>
    public List<string> Acknowledged { get; } = [];

    public string? Failure { get; set; }

    public IReadOnlyList<(long Step, double Value)> Before { get; set; } = [];

    public List<(long Step, double Value)> After { get; } = [];

    public long AppliedStep { get; set; }

    /// <summary>The changed hyperparameters' values just before the proposal was applied, once known.</summary>
    public IReadOnlyDictionary<string, double>? PreviousValues { get; set; }

    /// <summary>Keeps the values the proposal's commands are about to change, as the run last reported them.</summary>
    public void SnapshotPreviousValues(RunTrack track)
    {
        var current = track.Current();
        var changed = CommandRules.ChangedParameters(Latest.Commands).ToHashSet(StringComparer.Ordinal);
        PreviousValues = current.Where(p => changed.Contains(p.Key)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
    }
}
