using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// An in-memory image-classification data set: images as one float tensor [N, C, H, W] scaled to 0..1, and labels
/// as one int64 tensor [N]. Batches are gathered from them by index. Dispose it to free the tensors.
/// </summary>
public sealed class ImageClassificationData : IDisposable
{
    private readonly Tensor _images;
    private readonly Tensor _labels;

    /// <summary>Initializes a new instance of the <see cref="ImageClassificationData"/> class from raw 8-bit pixels.</summary>
    /// <param name="pixels">All pixels, image after image, channel-major within an image, 0..255.</param>
    /// <param name="labels">One class index per image.</param>
    /// <param name="channels">Channels per image.</param>
    /// <param name="height">Image height.</param>
    /// <param name="width">Image width.</param>
    /// <param name="classNames">The class names, indexed by label.</param>
    /// <exception cref="ArgumentException">The sizes disagree or a label is out of range.</exception>
    public ImageClassificationData(ReadOnlySpan<byte> pixels, ReadOnlySpan<byte> labels, int channels, int height, int width, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (classNames.Count < 1)
        {
            throw new ArgumentException("At least one class name is required.", nameof(classNames));
        }

        var imageSize = (long)channels * height * width;
        if (pixels.Length != labels.Length * imageSize)
        {
            throw new ArgumentException($"{labels.Length:N0} labels need {labels.Length * imageSize:N0} pixels, but {pixels.Length:N0} were given.", nameof(pixels));
        }

        var labelValues = new long[labels.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classNames.Count)
            {
                throw new ArgumentException($"Label {labels[i]} at index {i} is out of range for {classNames.Count} classes.", nameof(labels));
            }

            labelValues[i] = labels[i];
        }

        var values = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++)
        {
            values[i] = pixels[i] / 255f;
        }

        Count = labels.Length;
        Channels = channels;
        Height = height;
        Width = width;
        ClassNames = classNames;
        _images = tensor(values, [Count, channels, height, width]).DetachFromDisposeScope();
        _labels = tensor(labelValues, [Count]).DetachFromDisposeScope();
    }

    /// <summary>Gets the number of images.</summary>
    public int Count { get; }

    /// <summary>Gets the channels per image.</summary>
    public int Channels { get; }

    /// <summary>Gets the image height.</summary>
    public int Height { get; }

    /// <summary>Gets the image width.</summary>
    public int Width { get; }

    /// <summary>Gets the class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Gets the number of batches of <paramref name="batchSize"/> in one pass (the last one may be smaller).</summary>
    /// <param name="batchSize">The batch size.</param>
    /// <returns>The number of batches.</returns>
    public int BatchCount(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        return (Count + batchSize - 1) / batchSize;
    }

    /// <summary>
    /// Enumerates one pass in batches. The caller owns each batch's two tensors and must dispose them: they are created
    /// when the enumerator advances, before a dispose scope opened inside the loop body exists (so they belong to the
    /// scope active around the loop, if any). Write <c>using (images) using (labels) using (torch.NewDisposeScope()) { … }</c>.
    /// </summary>
    /// <param name="batchSize">The batch size.</param>
    /// <param name="shuffleSeed">Shuffles with this seed (the same seed gives the same order), or <see langword="null"/> for file order.</param>
    /// <returns>The batches: images [B, C, H, W] float32 and labels [B] int64.</returns>
    public IEnumerable<(Tensor Images, Tensor Labels)> Batches(int batchSize, int? shuffleSeed = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var order = new long[Count];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        if (shuffleSeed is { } seed)
        {
            new Random(seed).Shuffle(order);
        }

        return Enumerate(order, batchSize);
    }

    /// <summary>Frees the tensors.</summary>
    public void Dispose()
    {
        _images.Dispose();
        _labels.Dispose();
    }

    private IEnumerable<(Tensor Images, Tensor Labels)> Enumerate(long[] order, int batchSize)
    {
        for (var start = 0; start < order.Length; start += batchSize)
        {
            var length = Math.Min(batchSize, order.Length - start);
            using var index = tensor(order.AsSpan(start, length).ToArray(), [length]);
            yield return (_images.index_select(0, index), _labels.index_select(0, index));
        }
    }
}
