using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TrainInsight.TensorBoard.Internal;

namespace TrainInsight.TensorBoard;

/// <summary>
/// Tails a TensorBoard log directory and publishes every scalar onto an <see cref="ITelemetryBus"/> as it is written:
/// new runs, new files, growing files and rotated files, with no change to the trainer that writes them.
/// </summary>
/// <remarks>
/// <para>
/// A run is a folder below <see cref="TensorBoardTailerOptions.LogDirectory"/> holding event files; its id is the
/// relative path with '/' as '.' (the directory itself takes its own folder name). Each event's scalars become one
/// <see cref="MetricEvent"/> at the event's step and wall time, named through <see cref="TensorBoardTailerOptions.TagMap"/>;
/// a histogram becomes four values, <c>&lt;tag&gt;/mean</c>, <c>/std</c>, <c>/min</c> and <c>/max</c>. Images, text, audio
/// and hparams are read but not published.
/// </para>
/// <para>
/// A file-system watcher wakes the tailer as soon as a file changes; a scan every
/// <see cref="TensorBoardTailerOptions.PollInterval"/> catches what no notification announced. A record still being
/// written is waited for; a record whose checksum does not match is counted and skipped; a file that shrinks (replaced
/// in place) is read again from its start; a file that disappears is forgotten.
/// </para>
/// </remarks>
public sealed class TensorBoardTailer : IAsyncDisposable, IDisposable
{
    // Scans are at least this far apart, however many notifications arrive.
    private static readonly TimeSpan s_minimumScanGap = TimeSpan.FromMilliseconds(20);

    private readonly ITelemetryBus _bus;
    private readonly ILogger _logger;
    private readonly TimeSpan _pollInterval;
    private readonly bool _watch;
    private readonly MetricMapper _metrics;
    private readonly RunIdAllocator _runIds;
    private readonly Dictionary<string, TailedFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RunDescriptor> _runs = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly Lock _scanGate = new();
    private readonly CancellationTokenSource _stop = new();
    private FileSystemWatcher? _watcher;
    private Task? _loop;
    private long _records;
    private long _corrupt;
    private long _scalars;
    private long _scans;
    private int _fileCount;
    private int _runCount;
    private int _disposed;
    private bool _missingLogged;
    private bool _watcherNeeded;

    /// <summary>Initializes a new instance of the <see cref="TensorBoardTailer"/> class; call <see cref="Start"/> to begin.</summary>
    /// <param name="bus">Where the scalars go.</param>
    /// <param name="options">What to tail; copied here, later changes have no effect.</param>
    /// <param name="logger">Where problems are logged. The default logs nothing.</param>
    public TensorBoardTailer(ITelemetryBus bus, TensorBoardTailerOptions options, ILogger<TensorBoardTailer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.LogDirectory))
        {
            throw new ArgumentException("TensorBoardTailerOptions.LogDirectory must be set.", nameof(options));
        }

        _bus = bus;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        LogDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.LogDirectory));
        _pollInterval = options.PollInterval;
        _watch = options.WatchFileSystem;
        _metrics = new MetricMapper(options.TagMap);
        _runIds = new RunIdAllocator(LogDirectory);
    }

    /// <summary>Gets the full path of the tailed directory.</summary>
    public string LogDirectory { get; }

    /// <summary>
    /// Starts tailing on a background task: reads what the directory holds now, then follows it. A directory that does not
    /// exist yet (the trainer has not started) is waited for: it is polled until it appears, and watched from then on;
    /// one that is deleted and created again is followed the same way.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The tailer was disposed.</exception>
    /// <exception cref="InvalidOperationException">The tailer was already started.</exception>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The tailer has already been started.");
        }

        _watcherNeeded = _watch;
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    /// <summary>Creates the file-system watcher once the directory exists; returns whether one is running.</summary>
    private void EnsureWatcher()
    {
        if (!_watcherNeeded || _watcher is not null || !Directory.Exists(LogDirectory))
        {
            return;
        }

        {
            try
            {
                _watcher = new FileSystemWatcher(LogDirectory)
                {
                    IncludeSubdirectories = true,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
                    InternalBufferSize = 64 * 1024,
                };
                _watcher.Changed += (_, e) => WakeFor(e.FullPath, isNew: false);
                _watcher.Created += (_, e) => WakeFor(e.FullPath, isNew: true);
                _watcher.Renamed += (_, e) => WakeFor(e.FullPath, isNew: true);
                _watcher.Deleted += (_, _) => Wake();
                _watcher.Error += (_, e) =>
                {
                    // An overflowed buffer loses notifications, not data: the next scan reads everything that grew.
                    TailerLog.WatcherError(_logger, LogDirectory, e.GetException());
                    Wake();
                };
                _watcher.EnableRaisingEvents = true;
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
            {
                // Some file systems cannot be watched (inotify limits, network mounts): polling alone still works.
                TailerLog.WatcherUnavailable(_logger, LogDirectory, ex);
                _watcher?.Dispose();
                _watcher = null;
                _watcherNeeded = false;
            }
        }
    }

    /// <summary>The directory is gone: drop the watcher (it watches nothing now) and every open file.</summary>
    private void ForgetAll()
    {
        if (_watcher is not null)
        {
            _watcher.Dispose();
            _watcher = null;
        }

        foreach (var file in _files.Values)
        {
            file.Reader.Dispose();
        }

        _files.Clear();
        Volatile.Write(ref _fileCount, 0);
    }

    /// <summary>Gets what the tailer has done so far.</summary>
    /// <returns>The counters.</returns>
    public TensorBoardTailerStatistics GetStatistics() => new(
        Volatile.Read(ref _fileCount), Volatile.Read(ref _runCount), Interlocked.Read(ref _records), Interlocked.Read(ref _corrupt),
        Interlocked.Read(ref _scalars), Interlocked.Read(ref _scans));

    /// <summary>Stops tailing and closes the files; see <see cref="DisposeAsync"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops tailing and closes the files.</summary>
    /// <returns>A task that completes when the tailer has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        lock (_scanGate)
        {
            _watcher?.Dispose();
            _watcher = null;
        }

        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        lock (_scanGate)
        {
            foreach (var file in _files.Values)
            {
                file.Reader.Dispose();
            }

            _files.Clear();
            Volatile.Write(ref _fileCount, 0);
        }

        _stop.Dispose();
    }

    /// <summary>Scans the directory once and publishes what is new; returns the number of scalars published.</summary>
    internal long ScanOnce(CancellationToken cancellationToken = default)
    {
        lock (_scanGate)
        {
            Interlocked.Increment(ref _scans);
            IReadOnlyList<TensorBoardEventFile> found;
            try
            {
                found = TensorBoardLogDirectory.EnumerateEventFiles(LogDirectory);
                _missingLogged = false;
            }
            catch (Exception ex) when (ex is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
            {
                if (!_missingLogged)
                {
                    _missingLogged = true;
                    TailerLog.DirectoryUnreadable(_logger, LogDirectory, ex);
                }

                // Deleted (perhaps to be created again): close every file, and watch the new directory once it exists.
                ForgetAll();
                return 0;
            }

            EnsureWatcher();
            var present = new HashSet<string>(StringComparer.Ordinal);
            long published = 0;
            foreach (var file in found)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return published;
                }

                present.Add(file.Path);
                if (!_files.TryGetValue(file.Path, out var tailed))
                {
                    if (Open(file) is not { } opened)
                    {
                        continue;
                    }

                    tailed = opened;
                    _files.Add(file.Path, tailed);
                    Volatile.Write(ref _fileCount, _files.Count);
                }

                var (scalars, records, corrupt) = tailed.Drain(Publish, _logger, cancellationToken);
                Interlocked.Add(ref _records, records);
                Interlocked.Add(ref _corrupt, corrupt);
                Interlocked.Add(ref _scalars, scalars);
                published += scalars;
            }

            // Deleted files are forgotten (a rotated-away file has been read to its end already).
            foreach (var gone in _files.Keys.Where(p => !present.Contains(p)).ToList())
            {
                _files[gone].Reader.Dispose();
                _files.Remove(gone);
            }

            Volatile.Write(ref _fileCount, _files.Count);
            return published;
        }
    }

    private TailedFile? Open(TensorBoardEventFile file)
    {
        TensorBoardEventFileReader reader;
        try
        {
            reader = new TensorBoardEventFileReader(file.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Gone or locked between listing and opening: the next scan tries again. Out of file handles is worth a warning.
            if (ex is IOException && ex.Message.Contains("Too many open files", StringComparison.OrdinalIgnoreCase))
            {
                TailerLog.TooManyFiles(_logger, file.Path, _files.Count, ex);
            }
            else
            {
                TailerLog.FileUnreadable(_logger, file.Path, ex);
            }

            return null;
        }

        if (!_runs.TryGetValue(file.Run, out var run))
        {
            run = new RunDescriptor(_runIds.Allocate(file.Run)) { Name = file.Run == "." ? Path.GetFileName(LogDirectory) : file.Run };
            _runs.Add(file.Run, run);
            Volatile.Write(ref _runCount, _runs.Count);
            _bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
        }

        return new TailedFile(file.Path, run, reader) { Head = TailedFile.ReadHead(file.Path) };
    }

    /// <summary>The run's id: its relative path with '/' as '.', anything else a run id cannot hold as '-'.</summary>
    internal string RunId(string run) => _runIds.IdOf(run);

    private int Publish(RunDescriptor run, TensorBoardEvent e)
    {
        if (_metrics.Map(e) is not { } values)
        {
            return 0;
        }

        _bus.TryPublish(new MetricEvent(run, Math.Max(0, e.Step), values, MetricMapper.WallTime(e.WallTime)));
        return values.Count;
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                ScanOnce(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The tailer must outlive any one bad scan.
                TailerLog.ScanFailed(_logger, LogDirectory, ex);
            }

            try
            {
                // At most one scan per gap: a burst of notifications (a writer appending many records) is one more scan,
                // while the first change after a quiet spell is scanned at once.
                await Task.Delay(s_minimumScanGap, cancellationToken).ConfigureAwait(false);
                await _wake.WaitAsync(_pollInterval, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Wakes the loop for event files and folders; other files (checkpoints, images) do not cause a scan.</summary>
    private void WakeFor(string path, bool isNew)
    {
        if (Path.GetFileName(path).Contains("tfevents", StringComparison.Ordinal) || (isNew && Directory.Exists(path)))
        {
            Wake();
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (Exception ex) when (ex is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or stopping.
        }
    }
}
