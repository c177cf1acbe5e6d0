namespace TrainInsight;

/// <summary>One control command a run handled, with its outcome: the audit trail of who steered a run and how it went.</summary>
public sealed class ControlRecord
{
    /// <summary>Gets the command's id.</summary>
    public required string CommandId { get; init; }

    /// <summary>Gets the run that handled it.</summary>
    public required string RunId { get; init; }

    /// <summary>Gets the action requested.</summary>
    public required ControlAction Action { get; init; }

    /// <summary>Gets the command's argument (see <see cref="ControlCommand.Value"/>), or <see langword="null"/>.</summary>
    public double? Value { get; init; }

    /// <summary>Gets when the command was issued.</summary>
    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Gets whether the trainer applied or rejected it.</summary>
    public required ControlStatus Status { get; init; }

    /// <summary>Gets when the trainer handled it.</summary>
    public required DateTimeOffset HandledAt { get; init; }

    /// <summary>Gets the step at which it was handled, or <see langword="null"/>.</summary>
    public long? Step { get; init; }

    /// <summary>Gets the trainer's explanation (why it was rejected), or <see langword="null"/>.</summary>
    public string? Message { get; init; }

    /// <summary>Gets the offset of the acknowledgement event.</summary>
    public required long Offset { get; init; }
}
