namespace TrainInsight;

/// <summary>A request to steer a run, as submitted through <see cref="ITrainingControl.Submit(ControlAction, string?, double?)"/>.</summary>
public sealed class ControlCommand
{
    /// <summary>The largest learning rate <see cref="ControlAction.SetLearningRate"/> accepts: 10. Trainers reject a larger one.</summary>
    public const double MaxLearningRate = 10;

    /// <summary>The largest weight decay <see cref="ControlAction.SetWeightDecay"/> accepts: 1.</summary>
    public const double MaxWeightDecay = 1;

    /// <summary>The largest early-stopping patience <see cref="ControlAction.SetEarlyStopping"/> accepts: 10,000 epochs.</summary>
    public const int MaxEarlyStoppingPatience = 10_000;

    /// <summary>Initializes a new instance of the <see cref="ControlCommand"/> class with a new id.</summary>
    /// <param name="action">The action requested.</param>
    /// <param name="runId">The run it targets, or <see langword="null"/> for every active run. The default is <see langword="null"/>.</param>
    /// <param name="value">
    /// The action's argument (the rate of <see cref="ControlAction.SetLearningRate"/>, the decay of
    /// <see cref="ControlAction.SetWeightDecay"/>, the patience of <see cref="ControlAction.SetEarlyStopping"/>), or
    /// <see langword="null"/>. It is not validated here: the trainer rejects an invalid value with an acknowledgement, so
    /// that the attempt is audited. The default is <see langword="null"/>.
    /// </param>
    public ControlCommand(ControlAction action, string? runId = null, double? value = null)
    {
        if (!Enum.IsDefined(action))
        {
            throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown control action.");
        }

        Id = "cmd_" + Guid.NewGuid().ToString("N");
        Action = action;
        RunId = runId;
        Value = value;
        IssuedAt = DateTimeOffset.UtcNow;
    }

    /// <summary>Gets or initializes the command's unique id; acknowledgements carry it. The default is a new id ("cmd_" and 32 hex digits).</summary>
    /// <remarks>Set it only to restore a stored command.</remarks>
    public string Id
    {
        get;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            field = value;
        }
    }

    /// <summary>Gets the action requested.</summary>
    public ControlAction Action { get; }

    /// <summary>Gets the run the command targets, or <see langword="null"/> for every active run.</summary>
    public string? RunId { get; }

    /// <summary>Gets the action's argument, or <see langword="null"/> when it has none.</summary>
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

    /// <summary>Gets or initializes when the command was issued. The default is when it was created.</summary>
    /// <remarks>Set it only to restore a stored command.</remarks>
    public DateTimeOffset IssuedAt { get; init; }
}
