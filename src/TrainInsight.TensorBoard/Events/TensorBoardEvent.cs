namespace TrainInsight.TensorBoard;

/// <summary>One event of a TensorBoard event file.</summary>
public sealed class TensorBoardEvent
{
    /// <summary>Gets the event's time in seconds since the Unix epoch, as on the wire.</summary>
    public double WallTime { get; init; }

    /// <summary>Gets the event's step: 0 when absent on the wire.</summary>
    public long Step { get; init; }

    /// <summary>Gets the file version of a <see cref="TensorBoardEventContent.FileVersion"/> event.</summary>
    public string? FileVersion { get; init; }

    /// <summary>Gets what the event carries.</summary>
    public TensorBoardEventContent Content { get; init; }

    /// <summary>Gets the values of a <see cref="TensorBoardEventContent.Summary"/> event, in wire order.</summary>
    public IReadOnlyList<TensorBoardValue> Values { get; init; } = [];
}
