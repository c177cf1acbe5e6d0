namespace TrainInsight;

/// <summary>
/// Thrown when a run already has <see cref="ITrainingControl.MaxPendingCommands"/> commands waiting for its next step
/// boundary; nothing was queued. Retry after the trainer has caught up.
/// </summary>
public sealed class ControlQueueFullException : InvalidOperationException
{
    /// <summary>Initializes a new instance of the <see cref="ControlQueueFullException"/> class.</summary>
    public ControlQueueFullException()
        : base("Too many control commands are waiting for the run's next step boundary.")
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ControlQueueFullException"/> class.</summary>
    /// <param name="message">The message.</param>
    public ControlQueueFullException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="ControlQueueFullException"/> class.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ControlQueueFullException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Gets the run whose queue is full.</summary>
    public string? RunId { get; init; }
}
