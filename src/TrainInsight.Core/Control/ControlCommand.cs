namespace TrainInsight;

/// <summary>A request to steer a run, as submitted through <see cref="ITrainingControl.Submit"/>.</summary>
public sealed class ControlCommand
{
    /// <summary>Initializes a new instance of the <see cref="ControlCommand"/> class with a new id.</summary>
    /// <param name="action">The action requested.</param>
    /// <param name="runId">The run it targets, or <see langword="null"/> for every active run.</param>
    public ControlCommand(ControlAction action, string? runId = null)
    {
        if (!Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown control action.");
        }

        Id = "cmd_" + Guid.NewGuid().ToString("N");
        Action = action;
        RunId = runId;
        IssuedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Gets the command's unique id; acknowledgements carry it.</summary>
    public string Id { get; }

    /// <summary>Gets the action requested.</summary>
    public ControlAction Action { get; }

    /// <summary>Gets the run the command targets, or <see langword="null"/> for every active run.</summary>
    public string? RunId { get; }

    /// <summary>Gets when the command was issued.</summary>
    public DateTimeOffset IssuedAt { get; }
}
