using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace TrainInsight.Internal;

internal sealed class TrainingControlMailbox : ITrainingControl
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Receiver> _receivers = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> ActiveRuns
    {
        get
        {
            lock (_gate)
            {
                return [.. _receivers.Keys];
            }
        }
    }

    public ControlCommand Submit(ControlAction action, string? runId = null, double? value = null) =>
        Submit(new ControlCommand(action, runId, value));

    public ControlCommand Submit(ControlCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var runId = command.RunId;
        lock (_gate)
        {
            if (runId is null)
            {
                if (_receivers.Count == 0)
                {
                    throw new RunNotActiveException("No training run is active, so there is nothing to steer.");
                }

                // All or nothing: check every run before queuing for any.
                foreach (var receiver in _receivers.Values)
                {
                    ThrowIfFull(receiver);
                }

                foreach (var receiver in _receivers.Values)
                {
                    receiver.Enqueue(command);
                }
            }
            else if (_receivers.TryGetValue(runId, out var receiver))
            {
                ThrowIfFull(receiver);
                receiver.Enqueue(command);
            }
            else
            {
                throw new RunNotActiveException($"Run '{runId}' is not active.") { RunId = runId };
            }
        }

        return command;
    }

    private static void ThrowIfFull(Receiver receiver)
    {
        if (receiver.PendingCount >= ITrainingControl.MaxPendingCommands)
        {
            throw new ControlQueueFullException(
                $"Run '{receiver.RunId}' already has {ITrainingControl.MaxPendingCommands} commands waiting for its next step boundary.")
            {
                RunId = receiver.RunId,
            };
        }
    }

    public IControlReceiver Attach(string runId)
    {
        ArgumentException.ThrowIfNullOrEmpty(runId);
        lock (_gate)
        {
            if (_receivers.ContainsKey(runId))
            {
                throw new InvalidOperationException($"Run '{runId}' is already attached.");
            }

            var receiver = new Receiver(this, runId);
            _receivers.Add(runId, receiver);
            return receiver;
        }
    }

    private void Detach(Receiver receiver)
    {
        lock (_gate)
        {
            if (_receivers.TryGetValue(receiver.RunId, out var current) && ReferenceEquals(current, receiver))
            {
                _receivers.Remove(receiver.RunId);
            }
        }
    }

    private sealed class Receiver(TrainingControlMailbox owner, string runId) : IControlReceiver
    {
        private readonly Queue<ControlCommand> _pending = new();
        private readonly object _queueGate = new();
        private int _count;
        private int _disposed;

        public string RunId { get; } = runId;

        public int PendingCount => Volatile.Read(ref _count);

        public void Enqueue(ControlCommand command)
        {
            lock (_queueGate)
            {
                _pending.Enqueue(command);
                Volatile.Write(ref _count, _pending.Count);
                Monitor.PulseAll(_queueGate);
            }
        }

        public bool TryTake([MaybeNullWhen(false)] out ControlCommand command)
        {
            if (Volatile.Read(ref _count) == 0)
            {
                command = null;
                return false;
            }

            lock (_queueGate)
            {
                var taken = _pending.TryDequeue(out command);
                Volatile.Write(ref _count, _pending.Count);
                return taken;
            }
        }

        public bool WaitForCommand(TimeSpan timeout, CancellationToken cancellationToken = default)
        {
            var infinite = timeout == Timeout.InfiniteTimeSpan;
            if (timeout < TimeSpan.Zero && !infinite)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative or Timeout.InfiniteTimeSpan.");
            }

            // A monotonic clock: wall-clock jumps neither cut the wait short nor stretch it, and no DateTime overflow.
            var started = Stopwatch.GetTimestamp();
            lock (_queueGate)
            {
                while (_pending.Count == 0)
                {
                    var left = infinite ? TimeSpan.MaxValue : timeout - Stopwatch.GetElapsedTime(started);
                    if (left <= TimeSpan.Zero || cancellationToken.IsCancellationRequested)
                    {
                        return false;
                    }

                    // Wake at least every 50 ms to notice cancellation.
                    Monitor.Wait(_queueGate, left < TimeSpan.FromMilliseconds(50) ? left : TimeSpan.FromMilliseconds(50));
                }

                return true;
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Detach(this);
            }
        }
    }
}
