namespace TrainInsight.Torch.Vision;

/// <summary>Loads Fashion-MNIST (or any MNIST-family data set laid out the same way) from IDX files.</summary>
public static class FashionMnist
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Gets the ten Fashion-MNIST class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the training or test split.</summary>
    /// <param name="directory">The folder holding <c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>,
    /// <c>t10k-images-idx3-ubyte</c> and <c>t10k-labels-idx1-ubyte</c>, each optionally ending in <c>.gz</c>.</param>
    /// <param name="train"><see langword="true"/> for the 60,000 training images, <see langword="false"/> for the 10,000 test images.</param>
    /// <param name="limit">Keeps only the first <paramref name="limit"/> images, or <see langword="null"/> for all.</param>
    /// <returns>The data set.</returns>
    /// <exception cref="FileNotFoundException">A file is missing; the message says how to get the data set.</exception>
    /// <exception cref="InvalidDataException">A file is corrupt, or images and labels disagree; the message names the file.</exception>
    public static ImageClassificationData Load(string directory, bool train, int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 1.");
        }

        var prefix = train ? "train" : "t10k";
        var imagesPath = Find(directory, $"{prefix}-images-idx3-ubyte");
        var labelsPath = Find(directory, $"{prefix}-labels-idx1-ubyte");
        var images = IdxReader.ReadImages(imagesPath);
        var labels = IdxReader.ReadLabels(labelsPath);
        if (images.Count != labels.Length)
        {
            throw new InvalidDataException($"'{imagesPath}' holds {images.Count:N0} images but '{labelsPath}' holds {labels.Length:N0} labels.");
        }

        var count = Math.Min(images.Count, limit ?? int.MaxValue);
        var imageSize = images.Rows * images.Columns;
        return new ImageClassificationData(
            images.Pixels.Span[..(count * imageSize)], labels.AsSpan(0, count), 1, images.Rows, images.Columns, ClassNames);
    }

    private static string Find(string directory, string name)
    {
        foreach (var candidate in new[] { name, name + ".gz" })
        {
            var path = Path.Combine(directory, candidate);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new FileNotFoundException(
            $"Fashion-MNIST file '{name}' (or '{name}.gz') was not found in '{directory}'. " +
            "On Debian or Ubuntu install it with 'sudo apt-get install dataset-fashion-mnist' " +
            $"(it installs to {DefaultDirectory}), or point to a folder holding the four IDX files.",
            Path.Combine(directory, name));
    }
}
