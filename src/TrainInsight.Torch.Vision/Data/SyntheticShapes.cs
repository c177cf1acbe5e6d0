namespace TrainInsight.Torch.Vision;

/// <summary>
/// Generates a small, learnable image-classification data set without any download: one filled shape per image
/// (<see cref="ClassNames"/>) at a random position and size and a random brightness, over uniform noise. The same
/// arguments always give the same images, so tests and demos can train on real pixels deterministically.
/// </summary>
public static class SyntheticShapes
{
    private const int NoiseLevel = 48;

    /// <summary>Gets the class names, indexed by label: circle, square, triangle and cross.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["circle", "square", "triangle", "cross"];

    /// <summary>Generates <paramref name="count"/> images, as balanced over the classes as the count allows, in shuffled order.</summary>
    /// <param name="count">The number of images.</param>
    /// <param name="size">The height and width of each (square) image; at least 8. The default is 32.</param>
    /// <param name="seed">The random seed; the same seed gives identical images and labels. The default is 0.</param>
    /// <param name="channels">1 for grey-scale, 3 for RGB (each image's shape gets a random colour). The default is 1.</param>
    /// <returns>The data set.</returns>
    public static ImageClassificationData Generate(int count, int size = 32, int seed = 0, int channels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 8);
        if (channels is not (1 or 3))
        {
            throw new ArgumentOutOfRangeException(nameof(channels), channels, "channels must be 1 (grey-scale) or 3 (RGB).");
        }

        var imageSize = (long)channels * size * size;
        if (count * imageSize > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{count:N0} images of {imageSize:N0} bytes are more than can be generated at once.");
        }

        var random = new Random(seed);
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % ClassNames.Count);
        }

        random.Shuffle(labels);
        var pixels = new byte[count * imageSize];
        Span<byte> colour = stackalloc byte[channels];
        for (var i = 0; i < count; i++)
        {
            var image = pixels.AsSpan((int)(i * imageSize), (int)imageSize);
            for (var p = 0; p < image.Length; p++)
            {
                image[p] = (byte)random.Next(NoiseLevel);
            }

            for (var c = 0; c < channels; c++)
            {
                colour[c] = (byte)random.Next(160, 256);
            }

            // Radius between a sixth and a third of the image, centre far enough in that the shape stays inside.
            var radius = random.Next(Math.Max(2, size / 6), (size / 3) + 1);
            var centreX = random.Next(radius, size - radius);
            var centreY = random.Next(radius, size - radius);
            Draw(image, size, labels[i], centreX, centreY, radius, colour);
        }

        return new ImageClassificationData(pixels, labels, channels, size, size, ClassNames);
    }

    private static void Draw(Span<byte> image, int size, int shape, int centreX, int centreY, int radius, ReadOnlySpan<byte> colour)
    {
        var plane = size * size;
        var bar = Math.Max(1, radius / 3);
        for (var y = centreY - radius; y <= centreY + radius; y++)
        {
            for (var x = centreX - radius; x <= centreX + radius; x++)
            {
                if (x < 0 || y < 0 || x >= size || y >= size)
                {
                    continue;
                }

                var dx = x - centreX;
                var dy = y - centreY;
                var inside = shape switch
                {
                    0 => (dx * dx) + (dy * dy) <= radius * radius,

                    // Square and circle of similar area: a square of half-side 0.85 r.
                    1 => Math.Abs(dx) * 20 <= radius * 17 && Math.Abs(dy) * 20 <= radius * 17,

                    // Upright triangle: apex at the top, base at the bottom, widening linearly.
                    2 => 2 * Math.Abs(dx) <= dy + radius,
                    _ => (Math.Abs(dx) <= bar && Math.Abs(dy) <= radius) || (Math.Abs(dy) <= bar && Math.Abs(dx) <= radius),
                };
                if (inside)
                {
                    for (var c = 0; c < colour.Length; c++)
                    {
                        image[(c * plane) + (y * size) + x] = colour[c];
                    }
                }
            }
        }
    }
}
