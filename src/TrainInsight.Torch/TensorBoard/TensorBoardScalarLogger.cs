using TorchSharp;
using TrainInsight.Torch.Internal;
using SummaryWriter = TorchSharp.Modules.SummaryWriter;

namespace TrainInsight.Torch.TensorBoard;

/// <summary>
/// Writes one run's metrics as TensorBoard scalars with TorchSharp's <c>SummaryWriter</c>, from a background task that
/// reads a bus subscription, so the training thread never waits for the file.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Create"/> subscribes at once (call it before the session publishes
/// <see cref="TrainingEventKind.RunStarted"/>, so nothing of the run is missed); <see cref="Start"/> starts the writing task
/// once the session exists. Every value of every <see cref="MetricEvent"/> of the run becomes a scalar tagged with the
/// metric's name at the event's step, with the event's time (whole seconds: TorchSharp's walltime is a <see cref="long"/>).
/// The writer's file is created with the run's first metric, in <c>{directory}/{run id}</c>.
/// </para>
/// <para>
/// The task ends after the run's <see cref="TrainingEventKind.RunFinished"/> event, when the bus or the subscription
/// completes, or at the first failure to write (unwritable folder, full disk): then it counts one error, stops writing and
/// unsubscribes; it never throws. Steps beyond <see cref="int.MaxValue"/> (TorchSharp's step type) are skipped; gaps are
/// ignored. <see cref="Dispose"/>, called when the session finishes, waits at most <see cref="FinishTimeout"/> for the
/// task to write everything up to the run's end, then stops it.
/// </para>
/// </remarks>
internal sealed class TensorBoardScalarLogger : IDisposable
{
    /// <summary>How long <see cref="Dispose"/> waits for the scalars still queued: 5 seconds.</summary>
    public static readonly TimeSpan FinishTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How many events the logger may fall behind before it loses some (reported to it as gaps).</summary>
    internal const int QueueCapacity = 10_000;

    private readonly RunDescriptor _run;
    private readonly ITelemetrySubscription? _subscription;
    private Action? _onError;
    private Task? _pump;
    private SummaryWriter? _writer;
    private long _errors;
    private long _scalarsWritten;
    private long _skippedEvents;
    private volatile bool _stopping;
    private int _disposed;

    private TensorBoardScalarLogger(RunDescriptor run, string? logDirectory, ITelemetrySubscription? subscription, long errors)
    {
        _run = run;
        LogDirectory = logDirectory;
        _subscription = subscription;
        _errors = errors;
    }

    /// <summary>Gets the run's folder (absolute), or <see langword="null"/> when it could not be resolved.</summary>
    public string? LogDirectory { get; }

    /// <summary>Gets how many failures stopped the logger: 0 or 1.</summary>
    public long Errors => Interlocked.Read(ref _errors);

    /// <summary>Gets how many scalars were written.</summary>
    public long ScalarsWritten => Interlocked.Read(ref _scalarsWritten);

    /// <summary>Gets how many metric events were skipped because their step does not fit TorchSharp's <see cref="int"/>.</summary>
    public long SkippedEvents => Interlocked.Read(ref _skippedEvents);

    /// <summary>Gets the writing task, or a completed task before <see cref="Start"/>: it completes (never faulted) when the logger stops.</summary>
    internal Task Completion => _pump ?? Task.CompletedTask;

    /// <summary>
    /// Subscribes to <paramref name="run"/>'s events when <paramref name="rootDirectory"/> is set. Never throws: when the
    /// bus cannot be subscribed to or the folder cannot be resolved, the logger is created stopped, with one error to report.
    /// </summary>
    /// <param name="bus">The bus the run's session publishes to.</param>
    /// <param name="rootDirectory">The folder holding one sub-folder per run, or <see langword="null"/> for no logging.</param>
    /// <param name="run">The run, the same instance the session publishes its events with.</param>
    /// <param name="capacity">How many events the logger may fall behind before it loses some (tests make it small).</param>
    /// <returns>The logger, not yet started, or <see langword="null"/> when <paramref name="rootDirectory"/> is <see langword="null"/>.</returns>
    public static TensorBoardScalarLogger? Create(ITelemetryBus bus, string? rootDirectory, RunDescriptor run, int capacity = QueueCapacity)
    {
        if (rootDirectory is null)
        {
            return null;
        }

        string directory;
        try
        {
            // Resolved now, so that a later change of the current directory does not move the run's files.
            directory = Path.GetFullPath(Path.Combine(rootDirectory, FolderName(run.Id)));
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new TensorBoardScalarLogger(run, null, null, errors: 1);
        }

        try
        {
            var subscription = bus.Subscribe(new SubscriptionOptions { RunId = run.Id, Capacity = capacity });
            return new TensorBoardScalarLogger(run, directory, subscription, errors: 0);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A disposed bus: there is nothing to log.
            return new TensorBoardScalarLogger(run, directory, null, errors: 1);
        }
    }

    /// <summary>The name of a run's sub-folder: its id, with anything a file system might refuse replaced by '_'.</summary>
    /// <param name="runId">The run's id.</param>
    /// <returns>A name that is a single, ordinary path segment.</returns>
    internal static string FolderName(string runId) => RunFolder.Name(runId);

    /// <summary>Starts the writing task. Never throws.</summary>
    /// <param name="onError">Called for every error: at once for one found by <see cref="Create"/>, later from the writing task.</param>
    public void Start(Action? onError)
    {
        _onError = onError;
        if (Errors > 0)
        {
            onError?.Invoke();
        }

        _pump = _subscription is null ? Task.CompletedTask : Task.Run(PumpAsync);
    }

    /// <summary>
    /// Waits at most <see cref="FinishTimeout"/> for the task to write every scalar up to the run's
    /// <see cref="TrainingEventKind.RunFinished"/> event, then stops it and unsubscribes. Never throws.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            _pump?.Wait(FinishTimeout);
        }
        catch (AggregateException)
        {
            // The task handles its own errors; nothing is left to report.
        }

        _stopping = true;
        _subscription?.Dispose();
    }

    private async Task PumpAsync()
    {
        var reader = _subscription!.Reader;
        try
        {
            while (!_stopping && await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (!_stopping && reader.TryRead(out var item))
                {
                    // Only the session's own events: the same run id may have been used by an earlier run whose last
                    // events were still on their way when this one subscribed.
                    if (!ReferenceEquals(item.Run, _run))
                    {
                        continue;
                    }

                    if (item is MetricEvent metrics)
                    {
                        if (!TryWrite(metrics))
                        {
                            return;
                        }
                    }
                    else if (item is TrainingEvent { Kind: TrainingEventKind.RunFinished })
                    {
                        return;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not expected from a subscription's reader; stop quietly rather than fault the task.
            ReportError();
        }
        finally
        {
            _subscription.Dispose();
        }
    }

    private bool TryWrite(MetricEvent metrics)
    {
        if (metrics.Step > int.MaxValue)
        {
            Interlocked.Increment(ref _skippedEvents);
            return true;
        }

        try
        {
            // SummaryWriter creates the folder and the events file (with its file-version record) at once; every
            // add_scalar then opens the file, appends one record and closes it.
            _writer ??= torch.utils.tensorboard.SummaryWriter(LogDirectory);
            var step = (int)metrics.Step;
            var walltime = metrics.Timestamp.ToUnixTimeSeconds();
            foreach (var (name, value) in metrics.Values)
            {
                if (string.IsNullOrEmpty(name))
                {
                    continue;
                }

                _writer.add_scalar(name, (float)value, step, walltime);
                Interlocked.Increment(ref _scalarsWritten);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // An unwritable folder or a full disk will not heal within the run: stop writing, let the run go on.
            ReportError();
            return false;
        }
    }

    private void ReportError()
    {
        Interlocked.Increment(ref _errors);
        try
        {
            _onError?.Invoke();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The callback only counts; whatever it did, the logger still must not throw.
        }
    }
}
