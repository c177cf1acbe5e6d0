namespace TrainInsight.Torch.Vision;

/// <summary>Grey-scale images read from an IDX file: <see cref="Count"/> images of <see cref="Rows"/> × <see cref="Columns"/> bytes, row-major.</summary>
public sealed class IdxImages
{
    internal IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>Gets the number of images.</summary>
    public int Count { get; }

    /// <summary>Gets the height of each image.</summary>
    public int Rows { get; }

    /// <summary>Gets the width of each image.</summary>
    public int Columns { get; }

    /// <summary>Gets all pixels, image after image, 0..255.</summary>
    public ReadOnlyMemory<byte> Pixels { get; }
}
