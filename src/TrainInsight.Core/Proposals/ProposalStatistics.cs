namespace TrainInsight;

/// <summary>
/// The adoption and efficacy of proposals: overall, per run, per source and per action (a proposal counts once under each
/// action it holds).
/// </summary>
public sealed class ProposalStatistics
{
    private ProposalStatistics(ProposalCounts overall, IReadOnlyDictionary<string, ProposalCounts> byRun,
        IReadOnlyDictionary<ProposalSource, ProposalCounts> bySource, IReadOnlyDictionary<ControlAction, ProposalCounts> byAction)
    {
        Overall = overall;
        ByRun = byRun;
        BySource = bySource;
        ByAction = byAction;
    }

    /// <summary>Gets the counts over every proposal given.</summary>
    public ProposalCounts Overall { get; }

    /// <summary>Gets the counts per run.</summary>
    public IReadOnlyDictionary<string, ProposalCounts> ByRun { get; }

    /// <summary>Gets the counts per source.</summary>
    public IReadOnlyDictionary<ProposalSource, ProposalCounts> BySource { get; }

    /// <summary>Gets the counts per action.</summary>
    public IReadOnlyDictionary<ControlAction, ProposalCounts> ByAction { get; }

    /// <summary>Counts proposals from their latest revisions.</summary>
    /// <param name="latest">The latest revision of each proposal (as <see cref="IMetricStore.GetProposalsAsync"/> returns them); one per proposal id.</param>
    /// <returns>The statistics.</returns>
    /// <exception cref="ArgumentException">Two revisions of one proposal were given.</exception>
    public static ProposalStatistics Compute(IEnumerable<ProposalEvent> latest)
    {
        ArgumentNullException.ThrowIfNull(latest);
        var overall = new ProposalCounts();
        var byRun = new Dictionary<string, ProposalCounts>(StringComparer.Ordinal);
        var bySource = new Dictionary<ProposalSource, ProposalCounts>();
        var byAction = new Dictionary<ControlAction, ProposalCounts>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var proposal in latest)
        {
            ArgumentNullException.ThrowIfNull(proposal, nameof(latest));
            if (!seen.Add(proposal.ProposalId))
            {
                throw new ArgumentException($"Proposal '{proposal.ProposalId}' was given twice; give only its latest revision.", nameof(latest));
            }

            overall.Add(proposal);
            Get(byRun, proposal.RunId).Add(proposal);
            Get(bySource, proposal.Source).Add(proposal);
            foreach (var action in proposal.Commands.Select(c => c.Action).Distinct())
            {
                Get(byAction, action).Add(proposal);
            }
        }

        return new ProposalStatistics(overall, byRun, bySource, byAction);
    }

    private static ProposalCounts Get<TKey>(Dictionary<TKey, ProposalCounts> map, TKey key)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var counts))
        {
            counts = new ProposalCounts();
            map.Add(key, counts);
        }

        return counts;
    }
}
