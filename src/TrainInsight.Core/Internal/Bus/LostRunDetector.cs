using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace TrainInsight.Internal;

/// <summary>
/// Reports runs whose trainer went silent: a run that is training or paused, that no trainer of this host is attached
/// to, and that has published nothing for <see cref="TrainInsightOptions.LostRunTimeout"/> gets a
/// <see cref="TrainingEventKind.RunLost"/> notice on the bus, once per silence. Runs the store knows as unfinished from
/// before this bus started are watched too, from the bus's start.
/// </summary>
internal sealed class LostRunDetector : IDisposable
{
    /// <summary>The most unfinished runs read from the store at start.</summary>
    public const int MaxStoredRuns = 1_000;

    private readonly TimeSpan _timeout;
    private readonly InProcessTelemetryBus _bus;
    private readonly ITrainingControl? _control;
    private readonly ILogger _logger;
    private readonly Timer _timer;
    private readonly long _startedAt = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();
    private Task<IReadOnlyList<StoredRun>>? _storedRuns;
    private Dictionary<string, StoredRun>? _dormant;
    private bool _disposed;

    public LostRunDetector(TimeSpan timeout, InProcessTelemetryBus bus, IMetricStore? store, ITrainingControl? control, ILogger logger)
    {
        _timeout = timeout;
        _bus = bus;
        _control = control;
        _logger = logger;
        _storedRuns = store is null ? null : Task.Run(() => store.GetRunsAsync(MaxStoredRuns));
        var period = TimeSpan.FromTicks(Math.Clamp(timeout.Ticks / 4, TimeSpan.FromMilliseconds(25).Ticks, TimeSpan.FromSeconds(30).Ticks));
        _timer = new Timer(static state => ((LostRunDetector)state!).Check(), this, period, period);
    }

    /// <summary>Publishes a lost notice for every run silent for longer than the timeout. Called by the timer.</summary>
    internal void Check()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                var now = Stopwatch.GetTimestamp();
                var attached = _control?.ActiveRuns;
                var silentSince = now - (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
                foreach (var run in _bus.TakeSilentRuns(silentSince, attached))
                {
                    Publish(run.Run, run.Step, run.Epoch, Stopwatch.GetElapsedTime(run.LastSeen, now), sinceRestart: false);
                }

                CheckDormant(now, attached);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The check runs again at the next tick; a failure is worth one line each time it happens.
                BusLog.LostRunCheckFailed(_logger, ex);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    /// <summary>Runs stored as unfinished before this bus started, that the bus has not heard from since.</summary>
    private void CheckDormant(long now, IReadOnlyCollection<string>? attached)
    {
        if (_dormant is null)
        {
            if (_storedRuns is not { IsCompleted: true } read)
            {
                return;
            }

            _storedRuns = null;
            if (read.IsFaulted)
            {
                BusLog.StoredRunsUnreadable(_logger, read.Exception!.GetBaseException());
                _dormant = [];
                return;
            }

            _dormant = read.Result.Where(r => r.State is RunState.Training or RunState.Paused)
                .ToDictionary(r => r.Run.Id, StringComparer.Ordinal);
        }

        if (_dormant.Count == 0 || Stopwatch.GetElapsedTime(_startedAt, now) < _timeout)
        {
            return;
        }

        foreach (var stored in _dormant.Values.ToList())
        {
            _dormant.Remove(stored.Run.Id);
            if (_bus.Knows(stored.Run.Id) || attached?.Contains(stored.Run.Id) == true)
            {
                // Heard from since the start: the bus's own tracking covers it now.
                continue;
            }

            Publish(stored.Run, stored.LastStep, stored.LastEpoch, DateTimeOffset.UtcNow - stored.LastEventAt, sinceRestart: true);
        }
    }

    private void Publish(RunDescriptor run, long? step, int? epoch, TimeSpan silence, bool sinceRestart)
    {
        // Whole milliseconds below a second, whole seconds above: "No event for 10 min 3 s".
        silence = silence < TimeSpan.FromSeconds(1)
            ? TimeSpan.FromMilliseconds(Math.Round(silence.TotalMilliseconds))
            : TimeSpan.FromSeconds(Math.Round(silence.TotalSeconds));
        var where = step is { } s ? string.Create(CultureInfo.InvariantCulture, $" (its last event was at step {s:N0})") : string.Empty;
        var message = sinceRestart
            ? $"No event for {DurationText.Describe(silence)}{where}, and none since this host restarted: its trainer may have crashed, been killed or lost its connection. The run returns to training if its events resume."
            : $"No event for {DurationText.Describe(silence)}{where}: its trainer may have crashed, been killed or lost its connection. The run returns to training if its events resume.";
        _bus.TryPublish(new TrainingEvent(run, TrainingEventKind.RunLost)
        {
            State = RunState.Lost,
            Step = step,
            Epoch = epoch,
            Message = message,
        });
    }
}
