using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>
/// Durable history of training runs: every dispatched event, the metric points it carried, each run's summary and
/// the audit trail of control commands.
/// </summary>
/// <remarks>
/// <para>
/// The bus is the only writer: its store writer subscribes like any other subscriber, batches events off the training
/// thread and calls <see cref="AppendAsync"/> every <see cref="TrainInsightOptions.StoreFlushInterval"/>. Events arrive
/// in offset order, each with its <see cref="TrainInsightEvent.Offset"/> and <see cref="TrainInsightEvent.Sequence"/> set.
/// </para>
/// <para>
/// Readers (the REST endpoints, replay of a resuming stream) may call the read methods concurrently with writes.
/// Events read back carry their original offset and sequence; do not publish them again (the bus would number them anew).
/// </para>
/// <para>
/// Conversations with the assistant are not events: the assistant writes them with <see cref="AppendConversationAsync"/>.
/// </para>
/// <para>
/// Implementations never make the trainer fail: a store that cannot write (full disk, read-only directory) keeps the
/// events in memory and logs a warning rather than throwing from <see cref="AppendAsync"/>.
/// </para>
/// </remarks>
public interface IMetricStore : IDisposable
{
    /// <summary>
    /// Reads what the bus needs to continue after a restart: the last offset and each run's last sequence.
    /// Called once, when the bus starts.
    /// </summary>
    /// <returns>The state; empty for a new store.</returns>
    StoreState LoadState();

    /// <summary>Appends dispatched events, in offset order, as one batch: all of it is kept or, on failure, none.</summary>
    /// <param name="events">The events; <see cref="MetricEvent"/>s, <see cref="TrainingEvent"/>s, <see cref="FindingEvent"/>s, <see cref="ProposalEvent"/>s and <see cref="AssistantAnalysisEvent"/>s; other types are ignored.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the batch is durable (or kept in memory after a write failure).</returns>
    Task AppendAsync(IReadOnlyList<TrainInsightEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Reads stored events with an offset greater than <paramref name="afterOffset"/>, oldest first.</summary>
    /// <param name="afterOffset">Only events after this offset; 0 from the first.</param>
    /// <param name="limit">The most events to return; at least 1.</param>
    /// <param name="runId">Only events of this run, or <see langword="null"/> for all runs.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The events.</returns>
    Task<IReadOnlyList<TrainInsightEvent>> ReadEventsAsync(long afterOffset, int limit, string? runId = null, CancellationToken cancellationToken = default);

    /// <summary>Lists the stored runs, the most recently updated first.</summary>
    /// <param name="limit">The most runs to return; at least 1.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The runs.</returns>
    Task<IReadOnlyList<StoredRun>> GetRunsAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Gets one stored run.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The run, or <see langword="null"/> when the store has no event of it.</returns>
    Task<StoredRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>Reads metric points of one run, ordered by offset (then by name within one event).</summary>
    /// <param name="query">Which points.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The points; empty when the run is unknown.</returns>
    Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Streams every metric point of one run that <paramref name="query"/>'s <see cref="MetricQuery.Names"/> and
    /// <see cref="MetricQuery.AfterStep"/> select, in the order of <see cref="GetMetricsAsync"/> (by offset, then by name
    /// within one event); <see cref="MetricQuery.Limit"/> does not apply. Each point comes once; the whole run is never
    /// held in memory.
    /// </summary>
    /// <remarks>
    /// <para>
    /// For readers that need a whole range (downsampling a chart, summarising a series). Points appended while the
    /// enumeration runs may or may not be seen; points removed meanwhile (retention) may still be.
    /// </para>
    /// <para>
    /// The default implementation pages through <see cref="GetMetricsAsync"/> by step, 100,000 points a call, as the REST
    /// endpoint's <c>next_since</c> does: it is exact for runs whose steps do not go back (the rule every pager of a store
    /// follows); after a step that went back, the points at steps not after the last step already read are skipped, and a
    /// single step with more than 100,000 matching points is cut. Stores override it with one read (both stores of
    /// TrainInsight do).
    /// </para>
    /// </remarks>
    /// <param name="query">Which points; its <see cref="MetricQuery.Limit"/> is ignored.</param>
    /// <param name="cancellationToken">A token to cancel the read; <see cref="TaskAsyncEnumerableExtensions.WithCancellation{T}(IAsyncEnumerable{T}, CancellationToken)"/> works too.</param>
    /// <returns>The points; none when the run is unknown.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    IAsyncEnumerable<MetricPoint> ReadMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default) =>
        MetricPointPages.ReadAsync(this, query, MetricPointPages.MaxPageSize, cancellationToken);

    /// <summary>Reads the audit trail of control commands a run handled, oldest first.</summary>
    /// <param name="runId">The run's id.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The commands with their outcomes.</returns>
    Task<IReadOnlyList<ControlRecord>> GetCommandsAsync(string runId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads a run's findings: the latest revision of each, in the order they were first raised.
    /// </summary>
    /// <param name="query">Which findings; the state and severity filters apply to the latest revision.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The findings; empty when the run is unknown or has none.</returns>
    Task<IReadOnlyList<FindingEvent>> GetFindingsAsync(FindingQuery query, CancellationToken cancellationToken = default);

    /// <summary>Appends messages of conversations with the assistant, in order: all of them are kept or, on failure, none.</summary>
    /// <param name="messages">The messages, oldest first.</param>
    /// <param name="cancellationToken">A token to cancel the write.</param>
    /// <returns>A task that completes when the messages are durable.</returns>
    /// <exception cref="IOException">The store could not write them (the assistant reports it; training is not affected).</exception>
    Task AppendConversationAsync(IReadOnlyList<ConversationMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>Reads the latest messages of one conversation, oldest first.</summary>
    /// <param name="runId">The run the conversation is about.</param>
    /// <param name="conversationId">The conversation.</param>
    /// <param name="limit">The most messages to return (the latest ones); at least 1.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The messages; empty when there is no such conversation.</returns>
    Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, int limit, CancellationToken cancellationToken = default);

    /// <summary>Reads proposals: the latest revision of each, the most recently made first.</summary>
    /// <param name="query">Which proposals; the state filter applies to the latest revision.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The proposals; empty when there are none.</returns>
    Task<IReadOnlyList<ProposalEvent>> GetProposalsAsync(ProposalQuery query, CancellationToken cancellationToken = default);

    /// <summary>Reads every stored revision of one proposal, oldest first: its audit trail.</summary>
    /// <param name="proposalId">The proposal.</param>
    /// <param name="cancellationToken">A token to cancel the read.</param>
    /// <returns>The revisions; empty when the store has none of that proposal.</returns>
    Task<IReadOnlyList<ProposalEvent>> GetProposalHistoryAsync(string proposalId, CancellationToken cancellationToken = default);
}
