namespace TrainInsight;

/// <summary>Something that happened to a run: it started, finished, completed an epoch, saved a checkpoint or handled a command.</summary>
public sealed class TrainingEvent : TrainInsightEvent
{
    private static readonly IReadOnlyDictionary<string, double> s_empty = new Dictionary<string, double>();

    /// <summary>Initializes a new instance of the <see cref="TrainingEvent"/> class.</summary>
    /// <param name="run">The run the event belongs to.</param>
    /// <param name="kind">What happened.</param>
    /// <param name="timestamp">When it happened. The default is now.</param>
    public TrainingEvent(RunDescriptor run, TrainingEventKind kind, DateTimeOffset? timestamp = null)
        : base(run, timestamp)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown training event kind.");
        }

        Kind = kind;
    }

    /// <summary>Gets what happened.</summary>
    public TrainingEventKind Kind { get; }

    /// <summary>Gets or initializes the global step at which it happened, or <see langword="null"/> when not tied to a step.</summary>
    public long? Step { get; init; }

    /// <summary>Gets or initializes the epoch (1-based) at which it happened, or <see langword="null"/>.</summary>
    public int? Epoch { get; init; }

    /// <summary>Gets or initializes the run's state after the event, or <see langword="null"/> when unchanged or unknown.</summary>
    public RunState? State { get; init; }

    /// <summary>Gets or initializes summary metrics (for an epoch: validation loss and accuracy, best accuracy so far). The default is empty.</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = s_empty;

    /// <summary>Gets or initializes the path of the checkpoint written, or <see langword="null"/> when none was.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Gets or initializes the command handled, for <see cref="TrainingEventKind.ControlApplied"/>.</summary>
    public ControlCommand? Command { get; init; }

    /// <summary>Gets or initializes whether the command was applied or rejected, for <see cref="TrainingEventKind.ControlApplied"/>.</summary>
    public ControlStatus? ControlStatus { get; init; }

    /// <summary>Gets or initializes a human-readable explanation (why a command was rejected, why a run failed), or <see langword="null"/>.</summary>
    public string? Message { get; init; }
}
