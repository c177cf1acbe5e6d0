using TrainInsight.Internal;

namespace TrainInsight.Sqlite.Internal;

/// <summary>A stored run: its integer key in the database (<c>runs.run_key</c>) and its summary.</summary>
internal sealed class SqliteRun(long key, RunSummary summary)
{
    public long Key { get; } = key;

    public RunSummary Summary { get; } = summary;

    /// <summary>A copy to stage a batch on, so readers holding this instance never see a half-applied batch.</summary>
    public SqliteRun Clone() => new(Key, Summary.Clone());
}
