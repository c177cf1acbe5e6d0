namespace TrainInsight;

/// <summary>The trainer's side of <see cref="ITrainingControl"/> for one run. Dispose it when the run ends.</summary>
public interface IControlReceiver : IDisposable
{
    /// <summary>Gets the run's id.</summary>
    string RunId { get; }

    /// <summary>Takes the oldest pending command without waiting. Costs one volatile read when none is pending.</summary>
    /// <param name="command">The command, when one was pending.</param>
    /// <returns><see langword="true"/> when a command was taken.</returns>
    bool TryTake([System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out ControlCommand command);

    /// <summary>Blocks the calling (trainer) thread until a command is pending, the timeout elapses or the token is cancelled.</summary>
    /// <param name="timeout">The longest time to wait, or <see cref="Timeout.InfiniteTimeSpan"/> to wait until a command or cancellation.</param>
    /// <param name="cancellationToken">Ends the wait early.</param>
    /// <returns><see langword="true"/> when a command is pending.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    bool WaitForCommand(TimeSpan timeout, CancellationToken cancellationToken = default);
}
