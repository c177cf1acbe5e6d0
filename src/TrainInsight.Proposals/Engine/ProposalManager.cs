using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.Proposals.Internal;

namespace TrainInsight.Proposals;

/// <summary>
/// The <see cref="IProposalService"/> behind a bus: one subscriber, off the training thread, turns new findings' live fixes
/// into pending proposals, follows the trainer's acknowledgements of approved ones (applied, or failed with the trainer's
/// reason), measures each applied proposal's target metric over <see cref="ProposalOptions.OutcomeWindow"/> updates before
/// and after, proposes a revert when the verdict is "hurt", and expires proposals whose run ended, whose finding resolved
/// or that a newer one superseded. Every transition is published as a <see cref="ProposalEvent"/> revision.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="Start"/> subscribes; disposing stops and unsubscribes. Approving submits the commands through the
/// same <see cref="ITrainingControl"/> mailbox a person's command uses; with <see cref="ProposalOptions.CheckpointBeforeApply"/>
/// a <see cref="ControlAction.SaveCheckpoint"/> goes first, at the same step boundary.
/// </remarks>
public sealed class ProposalManager : IProposalService, IAsyncDisposable, IDisposable
{
    private const string Anonymous = "anonymous";
    private readonly ITelemetryBus _bus;
    private readonly IMetricStore _store;
    private readonly ProposalOptions _options;
    private readonly ILogger _logger;
    private readonly ProposalBook _book;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private ITelemetrySubscription? _subscription;
    private Task? _loop;
    private long _published;
    private long _publishFailures;
    private long _errors;
    private long _eventsMissed;
    private int _disposed;

    /// <summary>Initializes a new instance of the <see cref="ProposalManager"/> class.</summary>
    /// <param name="bus">The bus whose runs it follows and on which it publishes proposals.</param>
    /// <param name="control">The control mailbox approved commands go through.</param>
    /// <param name="store">The store older proposals are read from.</param>
    /// <param name="options">The options. The default is <c>new ProposalOptions()</c>.</param>
    /// <param name="logger">Logs every transition and the first failure of each kind. The default logs nothing.</param>
    /// <param name="timeProvider">The clock of the revisions' timestamps. The default is <see cref="TimeProvider.System"/>.</param>
    public ProposalManager(ITelemetryBus bus, ITrainingControl control, IMetricStore store, ProposalOptions? options = null,
        ILogger<ProposalManager>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(store);
        _bus = bus;
        _store = store;
        _options = options ?? new ProposalOptions();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _book = new ProposalBook(control, _options, timeProvider ?? TimeProvider.System, Publish);
    }

    /// <summary>Gets how many proposal revisions the manager published.</summary>
    public long RevisionsPublished => Interlocked.Read(ref _published);

    /// <summary>Gets how many revisions the bus rejected (it was disposed); the first is logged.</summary>
    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    /// <summary>Gets how many bus events could not be handled because of an error (the first is logged with its exception).</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Gets how many events the manager missed because it fell behind the bus (see <see cref="ProposalOptions.SubscriberCapacity"/>).</summary>
    public long EventsMissed => Interlocked.Read(ref _eventsMissed);

    /// <summary>Gets how many revert proposals the manager made for proposals measured as "hurt".</summary>
    public long RevertsProposed
    {
        get
        {
            lock (_gate)
            {
                return _book.Reverts;
            }
        }
    }

    /// <summary>Whether the manager has handled an event of the run (tests use a sentinel run as a barrier).</summary>
    internal bool HasSeenRun(string runId)
    {
        lock (_gate)
        {
            return _book.Run(runId) is not null;
        }
    }

    /// <summary>Subscribes to the bus and starts following live events. Calling it again does nothing.</summary>
    /// <exception cref="ObjectDisposedException">The manager is disposed.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        lock (_gate)
        {
            if (_subscription is not null)
            {
                return;
            }

            _subscription = _bus.Subscribe(new SubscriptionOptions { Capacity = _options.SubscriberCapacity });
            _loop = Task.Run(() => RunAsync(_subscription, _stop.Token));
        }
    }

    /// <inheritdoc />
    public async Task<ProposalEvent> ProposeAsync(ProposalRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var snapshot = _bus.GetCurrent(request.RunId);
        StoredRun? stored = null;
        if (snapshot is null)
        {
            lock (_gate)
            {
                if (_book.Run(request.RunId) is { } known)
                {
                    return _book.Propose(request, known);
                }
            }

            stored = await _store.GetRunAsync(request.RunId, cancellationToken).ConfigureAwait(false)
                ?? throw new RunNotFoundException($"Run '{request.RunId}' is not known: neither the bus nor the store has seen it.") { RunId = request.RunId };
        }

        lock (_gate)
        {
            var track = _book.Run(request.RunId)
                ?? _book.Track(snapshot?.Run ?? stored!.Run, snapshot?.State ?? stored!.State);
            return _book.Propose(request, track);
        }
    }

    /// <inheritdoc />
    public async Task<ProposalEvent> ApproveAsync(string proposalId, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(proposalId);
        var entry = await FindAsync(proposalId, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _book.Approve(entry, Actor(actor));
        }
    }

    /// <inheritdoc />
    public async Task<ProposalEvent> RejectAsync(string proposalId, string? reason = null, string? actor = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(proposalId);
        if (reason is { Length: > ProposalRequest.MaxTextLength })
        {
            throw new ArgumentException($"The reason is {reason.Length} characters long; the most is {ProposalRequest.MaxTextLength}.", nameof(reason));
        }

        var entry = await FindAsync(proposalId, cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            return _book.Reject(entry, Actor(actor), reason);
        }
    }

    /// <inheritdoc />
    public async Task<ProposalEvent?> GetAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        var history = await GetHistoryAsync(proposalId, cancellationToken).ConfigureAwait(false);
        return history.Count == 0 ? null : history[^1];
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProposalEvent>> GetHistoryAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(proposalId);
        lock (_gate)
        {
            if (_book.Find(proposalId) is { } entry)
            {
                return [.. entry.History];
            }
        }

        return await _store.GetProposalHistoryAsync(proposalId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProposalEvent>> ListAsync(ProposalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var stored = await _store.GetProposalsAsync(new ProposalQuery { RunId = query.RunId, Limit = query.Limit }, cancellationToken).ConfigureAwait(false);
        var merged = new Dictionary<string, ProposalEvent>(StringComparer.Ordinal);
        foreach (var proposal in stored)
        {
            merged[proposal.ProposalId] = proposal;
        }

        lock (_gate)
        {
            // The manager's revisions are newer than what the store has flushed.
            foreach (var entry in _book.Entries)
            {
                if (query.RunId is null || entry.Latest.RunId == query.RunId)
                {
                    merged[entry.Id] = entry.Latest;
                }
            }
        }

        return [.. merged.Values.Where(p => query.State is null || p.State == query.State)
            .OrderByDescending(p => p.CreatedAt).ThenByDescending(p => p.ProposalId, StringComparer.Ordinal).Take(query.Limit)];
    }

    /// <summary>Stops following the bus and unsubscribes, waiting for the event in progress.</summary>
    /// <returns>A task that completes when the manager has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
            _subscription?.Dispose();
        }

        if (loop is not null)
        {
            await loop.ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    /// <summary>Stops following the bus and unsubscribes.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task<Entry> FindAsync(string proposalId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_book.Find(proposalId) is { } entry)
            {
                return entry;
            }
        }

        var history = await _store.GetProposalHistoryAsync(proposalId, cancellationToken).ConfigureAwait(false);
        if (history.Count == 0)
        {
            throw new ProposalNotFoundException($"There is no proposal '{proposalId}'.") { ProposalId = proposalId };
        }

        lock (_gate)
        {
            return _book.Find(proposalId) ?? _book.Adopt(history);
        }
    }

    private static string Actor(string? actor) => string.IsNullOrWhiteSpace(actor) ? Anonymous : actor.Trim();

    private void Publish(ProposalEvent revision)
    {
        ProposalLog.Transition(_logger, revision.ProposalId, revision.RunId, revision.State, revision.Actor ?? Anonymous, revision.Title,
            revision.Reason is null ? "" : " — " + revision.Reason);
        if (revision.Outcome is { } outcome && revision.Revision > 1 && revision.State == ProposalState.Applied)
        {
            ProposalLog.Measured(_logger, revision.ProposalId, revision.RunId, outcome.Message);
        }

        if (_bus.TryPublish(revision))
        {
            Interlocked.Increment(ref _published);
        }
        else if (Interlocked.Increment(ref _publishFailures) == 1)
        {
            ProposalLog.PublishFailed(_logger, revision.RunId, revision.ProposalId);
        }
    }

    private async Task RunAsync(ITelemetrySubscription subscription, CancellationToken cancellationToken)
    {
        var reader = subscription.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    Process(item);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
    }

    private void Process(TrainInsightEvent item)
    {
        if (item is GapEvent gap)
        {
            if (Interlocked.Add(ref _eventsMissed, gap.MissedCount) == gap.MissedCount)
            {
                ProposalLog.EventsMissed(_logger, gap.MissedCount, gap.FirstMissedOffset, gap.LastMissedOffset);
            }

            return;
        }

        if (item is ProposalEvent or AssistantAnalysisEvent)
        {
            return;
        }

        try
        {
            lock (_gate)
            {
                if (_book.Observe(item) is { } request)
                {
                    _book.Propose(request, _book.Track(item.Run));
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (Interlocked.Increment(ref _errors) == 1)
            {
                ProposalLog.EventFailed(_logger, item.RunId, ex);
            }
        }
    }
}
