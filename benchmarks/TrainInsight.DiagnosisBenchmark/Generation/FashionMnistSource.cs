using TrainInsight.Torch.Vision;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>The real Fashion-MNIST files (Debian's <c>dataset-fashion-mnist</c>), read once: raw pixels and labels of both splits.</summary>
internal sealed class FashionMnistSource
{
    private FashionMnistSource(byte[] trainPixels, byte[] trainLabels, byte[] testPixels, byte[] testLabels)
    {
        TrainPixels = trainPixels;
        TrainLabels = trainLabels;
        TestPixels = testPixels;
        TestLabels = testLabels;
    }

    public const int ImageSize = 28 * 28;

    public byte[] TrainPixels { get; }

    public byte[] TrainLabels { get; }

    public byte[] TestPixels { get; }

    public byte[] TestLabels { get; }

    public static FashionMnistSource Load(string directory)
    {
        var trainImages = IdxReader.ReadImages(Find(directory, "train-images-idx3-ubyte"));
        var testImages = IdxReader.ReadImages(Find(directory, "t10k-images-idx3-ubyte"));
        return new FashionMnistSource(
            trainImages.Pixels.ToArray(),
            IdxReader.ReadLabels(Find(directory, "train-labels-idx1-ubyte")),
            testImages.Pixels.ToArray(),
            IdxReader.ReadLabels(Find(directory, "t10k-labels-idx1-ubyte")));
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
            $"Fashion-MNIST file '{name}' (or '{name}.gz') is not in '{directory}'. Install it with 'sudo apt-get install dataset-fashion-mnist' " +
            $"(or run eng/setup.sh), or pass --data DIR.", Path.Combine(directory, name));
    }
}
