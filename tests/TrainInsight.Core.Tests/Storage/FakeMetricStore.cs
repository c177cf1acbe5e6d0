namespace TrainInsight.Tests.Storage;

/// <summary>
/// An <see cref="InMemoryMetricStore"/> with hooks: each callback, when set, replaces or filters what the store does.
/// Records every batch it was asked to append.
/// </summary>
internal sealed class FakeMetricStore : IMetricStore
{
    private readonly Lock _gate = new();
    private readonly List<IReadOnlyList<TrainInsightEvent>> _batches = [];

    public InMemoryMetricStore Inner { get; } = new();

    /// <summary>Replaces <see cref="LoadState"/>.</summary>
    public Func<StoreState>? LoadStateCallback { get; set; }

    /// <summary>Runs before each append with the attempt number (1-based); throw from it to fail the append.</summary>
    public Action<int>? BeforeAppend { get; set; }

    /// <summary>Replaces <see cref="ReadEventsAsync"/>'s result, given the inner store's result and the arguments.</summary>
    public Func<IReadOnlyList<TrainInsightEvent>, long, string?, IReadOnlyList<TrainInsightEvent>>? ReadFilter { get; set; }

    /// <summary>Gets or sets how long each read takes. The default is none.</summary>
    public TimeSpan ReadDelay { get; set; }

    public int AppendAttempts { get; private set; }

    public int ReadCalls { get; private set; }

    /// <summary>Gets copies of the batches appended successfully, in order.</summary>
    public List<IReadOnlyList<TrainInsightEvent>> Batches
    {
        get
        {
            lock (_gate)
            {
                return [.. _batches];
            }
        }
    }

    public StoreState LoadState() => LoadStateCallback is { } callback ? callback() : Inner.LoadState();

    public async Task AppendAsync(IReadOnlyList<TrainInsightEvent> events, CancellationToken cancellationToken = default)
    {
        int attempt;
        lock (_gate)
        {
            attempt = ++AppendAttempts;
        }

        BeforeAppend?.Invoke(attempt);
        await Inner.AppendAsync(events, cancellationToken);
        lock (_gate)
        {
            _batches.Add([.. events]);
        }
    }

    public async Task<IReadOnlyList<TrainInsightEvent>> ReadEventsAsync(long afterOffset, int limit, string? runId = null, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            ReadCalls++;
        }

        if (ReadDelay > TimeSpan.Zero)
        {
            await Task.Delay(ReadDelay, cancellationToken);
        }

        var result = await Inner.ReadEventsAsync(afterOffset, limit, runId, cancellationToken);
        return ReadFilter is { } filter ? filter(result, afterOffset, runId) : result;
    }

    public Task<IReadOnlyList<StoredRun>> GetRunsAsync(int limit, CancellationToken cancellationToken = default) => Inner.GetRunsAsync(limit, cancellationToken);

    public Task<StoredRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => Inner.GetRunAsync(runId, cancellationToken);

    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default) => Inner.GetMetricsAsync(query, cancellationToken);

    public Task<IReadOnlyList<ControlRecord>> GetCommandsAsync(string runId, CancellationToken cancellationToken = default) => Inner.GetCommandsAsync(runId, cancellationToken);

    public Task<IReadOnlyList<FindingEvent>> GetFindingsAsync(FindingQuery query, CancellationToken cancellationToken = default) => Inner.GetFindingsAsync(query, cancellationToken);

    public Task<IReadOnlyList<ProposalEvent>> GetProposalsAsync(ProposalQuery query, CancellationToken cancellationToken = default) => Inner.GetProposalsAsync(query, cancellationToken);

    public Task<IReadOnlyList<ProposalEvent>> GetProposalHistoryAsync(string proposalId, CancellationToken cancellationToken = default) =>
        Inner.GetProposalHistoryAsync(proposalId, cancellationToken);

    public Task AppendConversationAsync(IReadOnlyList<ConversationMessage> messages, CancellationToken cancellationToken = default) =>
        Inner.AppendConversationAsync(messages, cancellationToken);

    public Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, int limit, CancellationToken cancellationToken = default) =>
        Inner.GetConversationAsync(runId, conversationId, limit, cancellationToken);

    public void Dispose() => Inner.Dispose();
}
