namespace TrainInsight;

/// <summary>One control command of a live <see cref="SuggestedFix"/>: the action and its computed argument.</summary>
public sealed class FixCommand
{
    /// <summary>Initializes a new instance of the <see cref="FixCommand"/> class.</summary>
    /// <param name="action">The action to submit.</param>
    /// <param name="value">Its argument (the new learning rate, say), or <see langword="null"/> when the action takes none.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="action"/> is undefined, or <paramref name="value"/> is not finite.</exception>
    public FixCommand(ControlAction action, double? value = null)
    {
        if (!Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown control action.");
        }

        if (value is { } v && !double.IsFinite(v))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "A fix's argument must be finite.");
        }

        Action = action;
        Value = value;
    }

    /// <summary>Gets the action to submit.</summary>
    public ControlAction Action { get; }

    /// <summary>Gets the action's argument, or <see langword="null"/>.</summary>
    public double? Value { get; }

    /// <summary>
    /// Gets or initializes the file the action works on (the checkpoint of <see cref="ControlAction.RestoreCheckpoint"/>),
    /// or <see langword="null"/>. The default is <see langword="null"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? Path
    {
        get;
        init
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(value);
            }

            field = value;
        }
    }

    /// <summary>Creates the control command that applies this step to a run.</summary>
    /// <param name="runId">The run to steer.</param>
    /// <returns>A new command with a new id.</returns>
    public ControlCommand ToCommand(string runId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        return new ControlCommand(Action, runId, Value) { Path = Path };
    }
}
