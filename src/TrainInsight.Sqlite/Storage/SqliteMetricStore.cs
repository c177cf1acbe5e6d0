using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.Internal;
using TrainInsight.Sqlite.Internal;

namespace TrainInsight.Sqlite;

/// <summary>
/// An <see cref="IMetricStore"/> in an embedded SQLite database file: runs, every event, the metric points they carried,
/// the latest revision of each finding, every revision of each proposal, the audit trail of control commands and the
/// assistant's conversations survive the process, and a bus on the same file continues offsets and sequences where the last one stopped.
/// </summary>
/// <remarks>
/// <para>
/// The database is in WAL mode, so reads run concurrently with writes on their own connections. Each
/// <see cref="AppendAsync"/> batch is one transaction; the bus calls it from its store writer task every
/// <see cref="TrainInsightOptions.StoreFlushInterval"/>, never from the training thread. A killed process loses at
/// most the events of the batch that was not yet written.
/// </para>
/// <para>
/// The store never makes the trainer fail: when the database cannot be opened or created, or a write fails (a full
/// disk, a read-only directory), it logs one warning, sets <see cref="IsDegraded"/>, and from then on keeps events in
/// memory, the failed batch included (at most <see cref="SqliteStoreOptions.MemoryFallbackCapacity"/>). Reads then
/// return what is in the file and what is in memory, merged by offset. Events kept in memory end with the process.
/// </para>
/// </remarks>
public sealed class SqliteMetricStore : IMetricStore
{
    private readonly SqliteStoreOptions _options;
    private readonly ILogger _logger;
    private readonly string _path;
    private readonly string? _readConnectionString;

    // The write side: the bus's store writer, and retention after its appends.
    private readonly Lock _writeGate = new();
    private readonly SqliteRetention _retention;
    private SqliteWriter? _writer;
    private long _nextRunKey;
    private InMemoryMetricStore? _fallback;
    private int _degraded;
    private bool _disposed;

    // Run summaries: written by appends (after their batch is stored), read by GetRuns/GetRun/LoadState.
    private readonly Lock _stateGate = new();
    private readonly Dictionary<string, SqliteRun> _runs;
    private long _lastOffset;

    /// <summary>Initializes a new instance of the <see cref="SqliteMetricStore"/> class and opens (or creates) the database.</summary>
    /// <param name="options">The settings; the store reads them when it opens and when it applies retention.</param>
    /// <param name="logger">Where the store reports that it degraded to memory, or <see langword="null"/> for nowhere. The default is <see langword="null"/>.</param>
    public SqliteMetricStore(SqliteStoreOptions options, ILogger<SqliteMetricStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger ?? NullLogger<SqliteMetricStore>.Instance;
        _path = System.IO.Path.GetFullPath(options.Path);
        _runs = new Dictionary<string, SqliteRun>(StringComparer.Ordinal);
        _retention = new SqliteRetention(options);
        var timeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds);
        try
        {
            if (System.IO.Path.GetDirectoryName(_path) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            var writeConnection = new SqliteConnectionStringBuilder
            {
                DataSource = _path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Pooling = false,
                DefaultTimeout = timeout,
            }.ToString();
            _writer = SqliteWriter.Open(writeConnection, options);
            (_lastOffset, _runs, _nextRunKey) = SqliteStartup.Load(_writer.Connection);
            _nextRunKey++;
            _readConnectionString = new SqliteConnectionStringBuilder
            {
                DataSource = _path,
                Mode = SqliteOpenMode.ReadWrite,
                Pooling = true,
                DefaultTimeout = timeout,
            }.ToString();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _writer?.Dispose();
            _writer = null;
            _nextRunKey = 1;
            Degrade(ex, "it cannot be opened or created");
        }
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path => _path;

    /// <summary>
    /// Gets whether the store could not use its database (it could not open it, or a write failed) and keeps new events in
    /// memory only. A health check can report it; it stays set until the process restarts.
    /// </summary>
    public bool IsDegraded => Volatile.Read(ref _degraded) != 0;

    /// <inheritdoc />
    public StoreState LoadState()
    {
        lock (_stateGate)
        {
            return new StoreState
            {
                LastOffset = _lastOffset,
                LastSequences = _runs.ToDictionary(r => r.Key, r => r.Value.Summary.LastSequence, StringComparer.Ordinal),
            };
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Writes synchronously on the calling thread (the bus's store writer) in one transaction, then applies retention
    /// when it is due. Never throws because of the database: a failed write degrades the store to memory.
    /// </remarks>
    public Task AppendAsync(IReadOnlyList<TrainInsightEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var batch = new List<TrainInsightEvent>(events.Count);
            var runKeys = new List<long>(events.Count);
            var touched = new Dictionary<string, SqliteRun>(StringComparer.Ordinal);
            var newNames = new List<(long RunKey, string Name)>();
            var names = new List<string>();
            lock (_stateGate)
            {
                // Stage the runs' new summaries on copies: readers see them only once the batch is stored.
                foreach (var item in events)
                {
                    if (item is not (MetricEvent or TrainingEvent or FindingEvent or ProposalEvent or AssistantAnalysisEvent))
                    {
                        continue;
                    }

                    if (!touched.TryGetValue(item.RunId, out var run))
                    {
                        run = _runs.TryGetValue(item.RunId, out var known)
                            ? known.Clone()
                            : new SqliteRun(_nextRunKey++, new RunSummary(item.Run, item.Timestamp));
                        touched.Add(item.RunId, run);
                    }

                    run.Summary.Observe(item, names);
                    foreach (var name in names)
                    {
                        newNames.Add((run.Key, name));
                    }

                    names.Clear();
                    batch.Add(item);
                    runKeys.Add(run.Key);
                }
            }

            if (batch.Count == 0)
            {
                return Task.CompletedTask;
            }

            var stored = false;
            if (_writer is { } writer)
            {
                try
                {
                    writer.Write(batch, runKeys, touched.Values, newNames);
                    stored = true;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    _writer = null;
                    writer.Dispose();
                    Degrade(ex, "a write failed");
                }
            }

            if (!stored)
            {
                // The batch that failed is kept too: memory holds everything from the failure on.
                _fallback!.AppendAsync(batch, CancellationToken.None).GetAwaiter().GetResult();
            }

            lock (_stateGate)
            {
                foreach (var (id, run) in touched)
                {
                    _runs[id] = run;
                    _retention.Touched(run.Key);
                }

                _lastOffset = Math.Max(_lastOffset, batch[^1].Offset);
            }

            if (stored)
            {
                ApplyRetentionIfDue();
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<TrainInsightEvent>> ReadEventsAsync(long afterOffset, int limit, string? runId = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var stored = await ReadDiskAsync(c => SqliteReads.ReadEventsAsync(c, afterOffset, limit, runId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _fallback) is not { } fallback)
        {
            return stored;
        }

        var memory = await fallback.ReadEventsAsync(afterOffset, limit, runId, cancellationToken).ConfigureAwait(false);
        return MergedReads.Merge(stored, memory, e => e.Offset, limit, null);
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredRun>> GetRunsAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_stateGate)
        {
            IReadOnlyList<StoredRun> result = [.. _runs.Values.OrderByDescending(r => r.Summary.LastOffset).Take(limit).Select(r => r.Summary.ToStoredRun())];
            return Task.FromResult(result);
        }
    }

    /// <inheritdoc />
    public Task<StoredRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_stateGate)
        {
            return Task.FromResult(_runs.GetValueOrDefault(runId)?.Summary.ToStoredRun());
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var stored = await ReadDiskAsync(c => SqliteReads.ReadMetricsAsync(c, query, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _fallback) is not { } fallback)
        {
            return stored;
        }

        var memory = await fallback.GetMetricsAsync(query, cancellationToken).ConfigureAwait(false);
        return MergedReads.Merge(stored, memory, p => p.Offset, query.Limit, p => p.Name);
    }

    /// <inheritdoc />
    /// <remarks>
    /// One statement on its own pooled connection, open until the enumeration ends (a WAL snapshot: appends go on
    /// meanwhile and are not seen). Reading some metrics reads only their rows, through an index by run and name that
    /// covers the read, so a chart's two metrics cost what two metrics cost however many the run has. A degraded store
    /// streams what is in the file and what it keeps in memory, merged by offset.
    /// </remarks>
    public IAsyncEnumerable<MetricPoint> ReadMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);

        // The query is read now; the store reads names sorted and distinct (its arms are in that order).
        var names = query.Names?.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return ReadMetricsCoreAsync(new MetricQuery(query.RunId) { Names = names, AfterStep = query.AfterStep }, names, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ControlRecord>> GetCommandsAsync(string runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runId);
        var stored = await ReadDiskAsync(c => SqliteReads.ReadCommandsAsync(c, runId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _fallback) is not { } fallback)
        {
            return stored;
        }

        var memory = await fallback.GetCommandsAsync(runId, cancellationToken).ConfigureAwait(false);
        return MergedReads.Merge(stored, memory, r => r.Offset, int.MaxValue, null);
    }

    /// <inheritdoc />
    /// <remarks>The latest revision of each finding is kept apart from the events, so it outlives <see cref="SqliteStoreOptions.MaxEventsPerRun"/>.</remarks>
    public async Task<IReadOnlyList<FindingEvent>> GetFindingsAsync(FindingQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (Volatile.Read(ref _fallback) is not { } fallback)
        {
            return await ReadDiskAsync(c => SqliteReads.ReadFindingsAsync(c, query, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // Degraded: a finding's latest revision may be in memory and an older one on disk, and the filters apply to the
        // latest; so both are read whole and merged first.
        var everything = new FindingQuery(query.RunId) { Limit = MergedReads.MaxFindings };
        var stored = await ReadDiskAsync(c => SqliteReads.ReadFindingsAsync(c, everything, cancellationToken), cancellationToken).ConfigureAwait(false);
        var memory = await fallback.GetFindingsAsync(everything, cancellationToken).ConfigureAwait(false);
        return MergedReads.MergeFindings(stored, memory, query);
    }

    /// <inheritdoc />
    /// <remarks>Every revision of a proposal is kept apart from the events, so the audit trail outlives <see cref="SqliteStoreOptions.MaxEventsPerRun"/>.</remarks>
    public async Task<IReadOnlyList<ProposalEvent>> GetProposalsAsync(ProposalQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (Volatile.Read(ref _fallback) is not { } fallback)
        {
            return await ReadDiskAsync(c => SqliteProposalReads.ReadProposalsAsync(c, query, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        // Degraded: a proposal's latest revision may be in memory and an older one on disk, and the state filter applies
        // to the latest; so both are read unfiltered by state and merged first.
        var everything = new ProposalQuery { RunId = query.RunId, Limit = MergedReads.MaxProposals };
        var stored = await ReadDiskAsync(c => SqliteProposalReads.ReadProposalsAsync(c, everything, cancellationToken), cancellationToken).ConfigureAwait(false);
        var memory = await fallback.GetProposalsAsync(everything, cancellationToken).ConfigureAwait(false);
        return MergedReads.MergeProposals(stored, memory, query);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ProposalEvent>> GetProposalHistoryAsync(string proposalId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(proposalId);
        var stored = await ReadDiskAsync(c => SqliteProposalReads.ReadHistoryAsync(c, proposalId, cancellationToken), cancellationToken).ConfigureAwait(false);
        if (Volatile.Read(ref _fallback) is not { } fallback)
        {
            return stored;
        }

        var memory = await fallback.GetProposalHistoryAsync(proposalId, cancellationToken).ConfigureAwait(false);
        return MergedReads.Merge(stored, memory, p => p.Offset, int.MaxValue, null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Writes on the calling thread in one transaction and keeps at most <see cref="InMemoryMetricStore.MaxConversationMessages"/>
    /// messages per conversation (the oldest go). Unlike <see cref="AppendAsync"/> it throws, keeping nothing in memory, and
    /// the caller (the assistant) reports it; a failed conversation write does not degrade the store.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> or one of its items is <see langword="null"/>.</exception>
    /// <exception cref="IOException">
    /// None of the messages was stored: the database could not be written (a full disk, a read-only file; the inner
    /// exception is the <see cref="SqliteException"/>), or the store is <see cref="IsDegraded"/> and has no database.
    /// </exception>
    public Task AppendConversationAsync(IReadOnlyList<ConversationMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var message in messages)
        {
            ArgumentNullException.ThrowIfNull(message, nameof(messages));
        }

        lock (_writeGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (messages.Count == 0)
            {
                return Task.CompletedTask;
            }

            if (_writer is not { } writer)
            {
                throw new IOException($"The conversation could not be stored: the SQLite store at '{_path}' is degraded to memory and writes no database.");
            }

            try
            {
                SqliteConversations.Write(writer.Connection, messages);
            }
            catch (SqliteException ex)
            {
                throw new IOException($"The conversation could not be written to the SQLite store at '{_path}': {ex.Message}", ex);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="runId"/> or <paramref name="conversationId"/> is <see langword="null"/>, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
    public async Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentException.ThrowIfNullOrWhiteSpace(conversationId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return await ReadDiskAsync(c => SqliteConversations.ReadAsync(c, runId, conversationId, limit, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the database (checkpointing its WAL) and drops what was kept in memory.</summary>
    public void Dispose()
    {
        lock (_writeGate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_readConnectionString is not null)
            {
                using var pooled = new SqliteConnection(_readConnectionString);
                SqliteConnection.ClearPool(pooled);
            }

            // Last, with no reader left open: closing the last connection checkpoints the WAL into the database.
            _writer?.Dispose();
            _writer = null;
        }
    }

    /// <summary>Runs a statement on the write connection; tests use it to make later writes fail.</summary>
    internal void ExecuteOnWriter(string sql)
    {
        lock (_writeGate)
        {
            _writer!.Execute(sql);
        }
    }

    /// <summary>Applies retention now, as an append does once <see cref="SqliteStoreOptions.RetentionInterval"/> has passed.</summary>
    internal void ApplyRetention()
    {
        lock (_writeGate)
        {
            _retention.Reset();
            ApplyRetentionIfDue();
        }
    }

    private void ApplyRetentionIfDue()
    {
        var now = DateTimeOffset.UtcNow;
        if (_writer is not { } writer || !_retention.IsDue(now))
        {
            return;
        }

        (List<SqliteRun> Remove, List<long> Trim)? plan;
        lock (_stateGate)
        {
            plan = _retention.Plan(now, _runs.Values);
        }

        if (plan is not { } due)
        {
            return;
        }

        try
        {
            _retention.Execute(writer.Connection, [.. due.Remove.Select(r => r.Key)], due.Trim);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Retried at the next pass; nothing was deleted (one transaction).
            SqliteStoreLog.RetentionFailed(_logger, _path, ex);
            return;
        }

        lock (_stateGate)
        {
            foreach (var run in due.Remove)
            {
                _runs.Remove(run.Summary.Run.Id);
            }

            _retention.Completed();
        }
    }

    private void Degrade(Exception exception, string reason)
    {
        Volatile.Write(ref _fallback, _fallback ?? new InMemoryMetricStore(_options.MemoryFallbackCapacity));
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            SqliteStoreLog.Degraded(_logger, _path, reason, exception);
        }
    }

    private async IAsyncEnumerable<MetricPoint> ReadMetricsCoreAsync(MetricQuery query, string[]? names, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var stored = ReadDiskMetricsAsync(query.RunId, names, query.AfterStep, cancellationToken);
        var points = Volatile.Read(ref _fallback) is { } fallback
            ? MergedReads.MergeAsync(stored, fallback.ReadMetricsAsync(query, cancellationToken), cancellationToken)
            : stored;
        await foreach (var point in points.ConfigureAwait(false))
        {
            yield return point;
        }
    }

    private async IAsyncEnumerable<MetricPoint> ReadDiskMetricsAsync(string runId, string[]? names, long? afterStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_readConnectionString is null)
        {
            yield break;
        }

        var connection = new SqliteConnection(_readConnectionString);
        await using (connection.ConfigureAwait(false))
        {
            var points = SqliteReads.StreamMetricsAsync(connection, runId, names, afterStep, cancellationToken).GetAsyncEnumerator(cancellationToken);
            await using (points.ConfigureAwait(false))
            {
                while (true)
                {
                    bool more;
                    try
                    {
                        if (connection.State != System.Data.ConnectionState.Open)
                        {
                            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                        }

                        more = await points.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (SqliteException) when (IsDegraded)
                    {
                        // The file failed the writer too; what memory holds is all there is to read.
                        more = false;
                    }

                    if (!more)
                    {
                        yield break;
                    }

                    yield return points.Current;
                }
            }
        }
    }

    private async Task<List<T>> ReadDiskAsync<T>(Func<SqliteConnection, Task<List<T>>> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed), this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_readConnectionString is null)
        {
            return [];
        }

        try
        {
            using var connection = new SqliteConnection(_readConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            return await read(connection).ConfigureAwait(false);
        }
        catch (SqliteException) when (IsDegraded)
        {
            // The file failed the writer too; what memory holds is all there is to read.
            return [];
        }
    }
}
