using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// Seeded training-time augmentation of image batches: each image is flipped horizontally with probability ½ and, when it is
/// at least <see cref="MinimumCropSize"/> pixels high and wide, cropped back to its size at a random offset after zero-padding
/// by <see cref="Padding"/> pixels on every side. The same seed gives the same sequence of flips and crops.
/// </summary>
public sealed class FlipCropAugmentation
{
    /// <summary>The smallest height and width that are randomly cropped; smaller images are only flipped.</summary>
    public const int MinimumCropSize = 16;

    private readonly Random _random;

    /// <summary>Initializes a new instance of the <see cref="FlipCropAugmentation"/> class.</summary>
    /// <param name="seed">The seed of the flips and crops.</param>
    /// <param name="padding">Pixels of zero padding on every side before cropping; between 0 and 64. The default is 4.</param>
    public FlipCropAugmentation(int seed, int padding = 4)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(padding, 64);
        _random = new Random(seed);
        Padding = padding;
    }

    /// <summary>Gets the padding on every side before cropping.</summary>
    public int Padding { get; }

    /// <summary>Returns an augmented copy of <paramref name="images"/> ([batch, channels, height, width]), in the current dispose scope.</summary>
    /// <param name="images">The images; not changed.</param>
    /// <returns>The augmented images, of the same shape, type and device.</returns>
    public Tensor Apply(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.dim() != 4)
        {
            throw new ArgumentException($"Expected images of shape [batch, channels, height, width], not [{string.Join(", ", images.shape)}].", nameof(images));
        }

        var (count, height, width) = (images.shape[0], images.shape[2], images.shape[3]);
        var crop = Padding > 0 && height >= MinimumCropSize && width >= MinimumCropSize;
        using var scope = NewDisposeScope();
        var padded = crop ? nn.functional.pad(images, [Padding, Padding, Padding, Padding]) : images;
        var augmented = new Tensor[count];
        for (var i = 0; i < count; i++)
        {
            var image = padded[i];
            if (crop)
            {
                image = image.narrow(1, _random.Next((2 * Padding) + 1), height).narrow(2, _random.Next((2 * Padding) + 1), width);
            }

            augmented[i] = _random.Next(2) == 1 ? image.flip(2) : image;
        }

        return stack(augmented).MoveToOuterDisposeScope();
    }
}
