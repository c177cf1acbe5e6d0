namespace TrainInsight.TensorBoard;

/// <summary>How a <see cref="TensorBoardValue"/> was decoded.</summary>
public enum TensorBoardValueKind
{
    /// <summary>A number: <see cref="TensorBoardValue.Value"/>.</summary>
    Scalar,

    /// <summary>A histogram: <see cref="TensorBoardValue.Histogram"/>.</summary>
    Histogram,

    /// <summary>One or more encoded images: <see cref="TensorBoardValue.ImageWidth"/> and <see cref="TensorBoardValue.ImageHeight"/> when known.</summary>
    Image,

    /// <summary>Text from the text plugin: <see cref="TensorBoardValue.Text"/>.</summary>
    Text,

    /// <summary>A hyperparameter record of the hparams plugin (its content is not decoded).</summary>
    HParams,

    /// <summary>Encoded audio (not decoded).</summary>
    Audio,

    /// <summary>A tensor this reader does not decode further: one of a plugin it does not know (for example the
    /// custom_scalars layout), or a non-scalar tensor without a plugin.</summary>
    Tensor,

    /// <summary>A value this reader does not understand: no value at all, an obsolete old-style histogram, or a tensor
    /// that does not have the shape or type its plugin calls for.</summary>
    Unknown,
}
