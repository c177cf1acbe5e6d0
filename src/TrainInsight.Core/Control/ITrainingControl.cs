namespace TrainInsight;

/// <summary>
/// The mailbox between those who steer training (HTTP endpoints, tools) and the trainers that obey at step boundaries.
/// </summary>
public interface ITrainingControl
{
    /// <summary>The most commands that may wait for one run's next step boundary: 64.</summary>
    const int MaxPendingCommands = 64;

    /// <summary>Gets the ids of the runs currently attached and accepting commands.</summary>
    IReadOnlyCollection<string> ActiveRuns { get; }

    /// <summary>Queues a command for one run, or for every active run.</summary>
    /// <param name="action">The action requested.</param>
    /// <param name="runId">The run to steer, or <see langword="null"/> for every active run.</param>
    /// <param name="value">The action's argument (see <see cref="ControlCommand.Value"/>), or <see langword="null"/>.</param>
    /// <returns>The queued command; trainers acknowledge it with a <see cref="TrainingEventKind.ControlApplied"/> event.</returns>
    /// <exception cref="RunNotActiveException">No run with that id (or no run at all) is active.</exception>
    /// <exception cref="ControlQueueFullException">A targeted run already has <see cref="MaxPendingCommands"/> commands waiting; none was queued.</exception>
    ControlCommand Submit(ControlAction action, string? runId = null, double? value = null);

    /// <summary>
    /// Queues a command built by the caller (one with a <see cref="ControlCommand.Path"/>, say) for its run, or for every
    /// active run when its <see cref="ControlCommand.RunId"/> is <see langword="null"/>.
    /// </summary>
    /// <param name="command">The command; its id is what the trainer's acknowledgement carries.</param>
    /// <returns><paramref name="command"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is <see langword="null"/>.</exception>
    /// <exception cref="RunNotActiveException">No run with that id (or no run at all) is active.</exception>
    /// <exception cref="ControlQueueFullException">A targeted run already has <see cref="MaxPendingCommands"/> commands waiting; none was queued.</exception>
    ControlCommand Submit(ControlCommand command);

    /// <summary>Attaches a trainer's run so it receives commands until the returned receiver is disposed.</summary>
    /// <param name="runId">The run's id.</param>
    /// <returns>The run's receiver.</returns>
    /// <exception cref="InvalidOperationException">A run with that id is already attached.</exception>
    IControlReceiver Attach(string runId);
}
