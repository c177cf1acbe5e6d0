using System.Runtime.CompilerServices;
using TrainInsight.Internal;

namespace TrainInsight;

/// <summary>
/// An <see cref="IMetricStore"/> in process memory, bounded by <see cref="MaxEvents"/>: for tests, short-lived hosts and
/// hosts that want no files. Its contents end with the process.
/// </summary>
public sealed class InMemoryMetricStore : IMetricStore
{
    private readonly Lock _gate = new();
    private readonly OffsetLog _all = new();
    private readonly Dictionary<string, RunEntry> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<(string RunId, string ConversationId), List<ConversationMessage>> _conversations = [];
    private readonly Dictionary<string, List<ProposalEvent>> _proposals = new(StringComparer.Ordinal);
    private readonly List<string> _proposalOrder = [];
    private readonly int _maxEvents;

    /// <summary>Initializes a new instance of the <see cref="InMemoryMetricStore"/> class.</summary>
    /// <param name="maxEvents">
    /// The most events kept; beyond it the oldest are removed (run summaries stay). Between 1 and 100,000,000.
    /// The default is 100,000.
    /// </param>
    public InMemoryMetricStore(int maxEvents = 100_000)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEvents, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxEvents, 100_000_000);
        _maxEvents = maxEvents;
    }

    /// <summary>Gets the most events kept.</summary>
    public int MaxEvents => _maxEvents;

    /// <inheritdoc />
    public StoreState LoadState()
    {
        lock (_gate)
        {
            return new StoreState
            {
                LastOffset = _runs.Count == 0 ? 0 : _runs.Values.Max(r => r.LastOffset),
                LastSequences = _runs.ToDictionary(r => r.Key, r => r.Value.LastSequence, StringComparer.Ordinal),
            };
        }
    }

    /// <inheritdoc />
    public Task AppendAsync(IReadOnlyList<TrainInsightEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var item in events)
            {
                if (item is not (MetricEvent or TrainingEvent or FindingEvent or ProposalEvent or AssistantAnalysisEvent))
                {
                    continue;
                }

                if (item is ProposalEvent proposal)
                {
                    if (!_proposals.TryGetValue(proposal.ProposalId, out var revisions))
                    {
                        revisions = [];
                        _proposals.Add(proposal.ProposalId, revisions);
                        _proposalOrder.Add(proposal.ProposalId);
                    }

                    revisions.Add(proposal);
                }

                if (!_runs.TryGetValue(item.RunId, out var run))
                {
                    run = new RunEntry(item.Run, item.Timestamp);
                    _runs.Add(item.RunId, run);
                }

                run.Observe(item);
                _all.Add(item);
                run.Events.Add(item);
            }

            while (_all.Count > _maxEvents)
            {
                var oldest = _all.RemoveFirst();
                _runs[oldest.RunId].Events.RemoveFirst();
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<TrainInsightEvent>> ReadEventsAsync(long afterOffset, int limit, string? runId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            OffsetLog? log = runId is null ? _all : _runs.GetValueOrDefault(runId)?.Events;
            IReadOnlyList<TrainInsightEvent> result = log?.CopyAfter(afterOffset, limit) ?? [];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredRun>> GetRunsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<StoredRun> result = [.. _runs.Values.OrderByDescending(r => r.LastOffset).Take(limit).Select(r => r.ToStoredRun())];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<StoredRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId)?.ToStoredRun());
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        var names = query.Names is null ? null : new HashSet<string>(query.Names, StringComparer.Ordinal);
        var result = new List<MetricPoint>();
        lock (_gate)
        {
            if (_runs.GetValueOrDefault(query.RunId) is not { } run)
            {
                return Task.FromResult<IReadOnlyList<MetricPoint>>(result);
            }

            foreach (var item in run.Events.Items())
            {
                if (item is not MetricEvent metrics || (query.AfterStep is { } after && metrics.Step <= after))
                {
                    continue;
                }

                foreach (var (name, value) in metrics.Values.OrderBy(v => v.Key, StringComparer.Ordinal))
                {
                    if (names is null || names.Contains(name))
                    {
                        result.Add(new MetricPoint(metrics.RunId, name, metrics.Step, value, metrics.Timestamp, metrics.Sequence, metrics.Offset));
                        if (result.Count == query.Limit)
                        {
                            return Task.FromResult<IReadOnlyList<MetricPoint>>(result);
                        }
                    }
                }
            }
        }

        return Task.FromResult<IReadOnlyList<MetricPoint>>(result);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Copies the run's events out of the store <see cref="ReadChunkEvents"/> at a time, under its lock, and makes their
    /// points outside it: appends are never held up by a slow reader.
    /// </remarks>
    public IAsyncEnumerable<MetricPoint> ReadMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var names = query.Names is null ? null : new HashSet<string>(query.Names, StringComparer.Ordinal);
        return ReadMetricsCoreAsync(query.RunId, names, query.AfterStep, cancellationToken);
    }

    /// <summary>How many events <see cref="ReadMetricsAsync"/> copies under the lock at a time.</summary>
    internal const int ReadChunkEvents = 4_096;

    private async IAsyncEnumerable<MetricPoint> ReadMetricsCoreAsync(
        string runId, HashSet<string>? names, long? afterStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (names is { Count: 0 })
        {
            yield break;
        }

        var afterOffset = long.MinValue;
        var matches = new List<KeyValuePair<string, double>>();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            List<TrainInsightEvent>? chunk;
            lock (_gate)
            {
                chunk = _runs.GetValueOrDefault(runId)?.Events.CopyAfter(afterOffset, ReadChunkEvents);
            }

            if (chunk is not { Count: > 0 })
            {
                yield break;
            }

            foreach (var item in chunk)
            {
                if (item is not MetricEvent metrics || (afterStep is { } after && metrics.Step <= after))
                {
                    continue;
                }

                // An event's points by name, as GetMetricsAsync orders them: a few values, sorted in place.
                matches.Clear();
                foreach (var value in metrics.Values)
                {
                    if (names is null || names.Contains(value.Key))
                    {
                        var at = matches.Count;
                        matches.Add(value);
                        while (at > 0 && string.CompareOrdinal(matches[at - 1].Key, value.Key) > 0)
                        {
                            matches[at] = matches[at - 1];
                            at--;
                        }

                        matches[at] = value;
                    }
                }

                foreach (var (name, value) in matches)
                {
                    yield return new MetricPoint(metrics.RunId, name, metrics.Step, value, metrics.Timestamp, metrics.Sequence, metrics.Offset);
                }
            }

            if (chunk.Count < ReadChunkEvents)
            {
                yield break;
            }

            afterOffset = chunk[^1].Offset;
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ControlRecord>> GetCommandsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<ControlRecord> result = _runs.GetValueOrDefault(runId)?.Commands.ToArray() ?? [];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    /// <remarks>Findings are kept apart from the events, so the latest revision of each survives when old events are removed.</remarks>
    public Task<IReadOnlyList<FindingEvent>> GetFindingsAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (_runs.GetValueOrDefault(query.RunId) is not { } run)
            {
                return Task.FromResult<IReadOnlyList<FindingEvent>>([]);
            }

            IReadOnlyList<FindingEvent> result =
            [
                .. run.FindingOrder
                    .Select(id => run.Findings[id])
                    .Where(f => (query.State is not { } state || f.State == state) && (query.MinSeverity is not { } min || f.Severity >= min))
                    .Take(query.Limit),
            ];
            return Task.FromResult(result);
        }
    }

    /// <summary>The most messages kept per conversation (10,000); beyond it the oldest are removed.</summary>
    public const int MaxConversationMessages = 10_000;

    /// <inheritdoc />
    public Task AppendConversationAsync(IReadOnlyList<ConversationMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
        }

        lock (_gate)
        {
            foreach (var message in messages)
            {
                var key = (message.RunId, message.ConversationId);
                if (!_conversations.TryGetValue(key, out var list))
                {
                    _conversations[key] = list = [];
                }

                list.Add(message);
                if (list.Count > MaxConversationMessages)
                {
                    list.RemoveRange(0, list.Count - MaxConversationMessages);
                }
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<ConversationMessage> result = _conversations.TryGetValue((runId, conversationId), out var list)
                ? [.. list.Skip(Math.Max(0, list.Count - limit))]
                : [];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    /// <remarks>Proposals are kept apart from the events, so their audit trails survive when old events are removed.</remarks>
    public Task<IReadOnlyList<ProposalEvent>> GetProposalsAsync(ProposalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var result = new List<ProposalEvent>(Math.Min(query.Limit, _proposalOrder.Count));
            for (var i = _proposalOrder.Count - 1; i >= 0 && result.Count < query.Limit; i--)
            {
                var latest = _proposals[_proposalOrder[i]][^1];
                if ((query.RunId is null || string.Equals(latest.RunId, query.RunId, StringComparison.Ordinal))
                    && (query.State is null || latest.State == query.State))
                {
                    result.Add(latest);
                }
            }

            return Task.FromResult<IReadOnlyList<ProposalEvent>>(result);
        }
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ProposalEvent>> GetProposalHistoryAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposalId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult<IReadOnlyList<ProposalEvent>>(_proposals.TryGetValue(proposalId, out var revisions) ? [.. revisions] : []);
        }
    }

    /// <summary>Does nothing: the store holds only memory.</summary>
    public void Dispose()
    {
    }

    private sealed class RunEntry(RunDescriptor run, DateTimeOffset firstEventAt)
    {
        public RunSummary Summary { get; } = new(run, firstEventAt);

        public OffsetLog Events { get; } = new();

        public List<ControlRecord> Commands { get; } = [];

        public Dictionary<string, FindingEvent> Findings { get; } = new(StringComparer.Ordinal);

        public List<string> FindingOrder { get; } = [];

        public long LastSequence => Summary.LastSequence;

        public long LastOffset => Summary.LastOffset;

        public void Observe(TrainInsightEvent item)
        {
            Summary.Observe(item);
            if (item is TrainingEvent training && ControlRecords.From(training) is { } record)
            {
                Commands.Add(record);
            }
            else if (item is FindingEvent finding)
            {
                if (!Findings.ContainsKey(finding.FindingId))
                {
                    FindingOrder.Add(finding.FindingId);
                }

                Findings[finding.FindingId] = finding;
            }
        }

        public StoredRun ToStoredRun() => Summary.ToStoredRun();
    }
}
