namespace TrainInsight.TensorBoard;

/// <summary>One value of a summary event.</summary>
public sealed class TensorBoardValue
{
    /// <summary>Gets the value's tag.</summary>
    public required string Tag { get; init; }

    /// <summary>Gets how the value was decoded.</summary>
    public required TensorBoardValueKind Kind { get; init; }

    /// <summary>Gets the number of a <see cref="TensorBoardValueKind.Scalar"/> value.</summary>
    public double Value { get; init; }

    /// <summary>Gets the histogram of a <see cref="TensorBoardValueKind.Histogram"/> value.</summary>
    public TensorBoardHistogram? Histogram { get; init; }

    /// <summary>Gets the text of a <see cref="TensorBoardValueKind.Text"/> value.</summary>
    public string? Text { get; init; }

    /// <summary>Gets the name of the plugin named by the value's metadata, when there is one.</summary>
    public string? PluginName { get; init; }

    /// <summary>Gets the width in pixels of an <see cref="TensorBoardValueKind.Image"/> value, when known.</summary>
    public int? ImageWidth { get; init; }

    /// <summary>Gets the height in pixels of an <see cref="TensorBoardValueKind.Image"/> value, when known.</summary>
    public int? ImageHeight { get; init; }
}
