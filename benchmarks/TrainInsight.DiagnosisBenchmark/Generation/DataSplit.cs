using static TorchSharp.torch;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>
/// One seed's training and validation data as tensors: a fixed subset of the Fashion-MNIST training split (the first
/// <c>trainSize</c> of a seeded permutation, so a smaller set is a prefix of the larger) and 2,000 images of the test
/// split for validation. Pixels are scaled to 0..1, or left raw (0..255) for the unnormalised-input scenario; label noise
/// and class sorting apply to the training part only. Dispose it to free the tensors.
/// </summary>
internal sealed class DataSplit : IDisposable
{
    private DataSplit(Tensor trainImages, Tensor trainLabels, Tensor valImages, Tensor valLabels, double noisyShare)
    {
        TrainImages = trainImages;
        TrainLabels = trainLabels;
        ValImages = valImages;
        ValLabels = valLabels;
        NoisyLabelShare = noisyShare;
    }

    public Tensor TrainImages { get; }

    public Tensor TrainLabels { get; }

    public Tensor ValImages { get; }

    public Tensor ValLabels { get; }

    public int TrainCount => (int)TrainLabels.shape[0];

    public int ValCount => (int)ValLabels.shape[0];

    /// <summary>Gets the share of training labels that are wrong after the label shuffle (0 without noise).</summary>
    public double NoisyLabelShare { get; }

    public static DataSplit Create(FashionMnistSource source, int seed, int trainSize, int valSize, bool rawPixels, double labelNoise, bool sortByClass)
    {
        var trainIndex = Permutation(source.TrainLabels.Length, seed).Take(trainSize).ToArray();
        var valIndex = Permutation(source.TestLabels.Length, seed + 100_003).Take(valSize).ToArray();
        var trainLabels = trainIndex.Select(i => (long)source.TrainLabels[i]).ToArray();
        var noisy = 0;
        if (labelNoise > 0)
        {
            // Shuffle the labels of a random half (labelNoise) of the images among themselves: the class balance stays.
            var random = new Random(seed + 200_003);
            var chosen = Permutation(trainLabels.Length, seed + 300_007).Take((int)Math.Round(labelNoise * trainLabels.Length)).ToArray();
            var shuffled = chosen.Select(i => trainLabels[i]).ToArray();
            random.Shuffle(shuffled);
            for (var k = 0; k < chosen.Length; k++)
            {
                noisy += trainLabels[chosen[k]] != shuffled[k] ? 1 : 0;
                trainLabels[chosen[k]] = shuffled[k];
            }
        }

        if (sortByClass)
        {
            // Stable sort by (possibly noisy) label: the loader then serves class 0 first, then class 1, ...
            var order = Enumerable.Range(0, trainIndex.Length).OrderBy(k => trainLabels[k]).ThenBy(k => k).ToArray();
            trainIndex = order.Select(k => trainIndex[k]).ToArray();
            trainLabels = order.Select(k => trainLabels[k]).ToArray();
        }

        var valLabels = valIndex.Select(i => (long)source.TestLabels[i]).ToArray();
        return new DataSplit(
            Images(source.TrainPixels, trainIndex, rawPixels),
            tensor(trainLabels, [trainLabels.Length]).DetachFromDisposeScope(),
            Images(source.TestPixels, valIndex, rawPixels),
            tensor(valLabels, [valLabels.Length]).DetachFromDisposeScope(),
            trainLabels.Length == 0 ? 0 : (double)noisy / trainLabels.Length);
    }

    public void Dispose()
    {
        TrainImages.Dispose();
        TrainLabels.Dispose();
        ValImages.Dispose();
        ValLabels.Dispose();
    }

    private static int[] Permutation(int count, int seed)
    {
        var order = Enumerable.Range(0, count).ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }

    private static Tensor Images(byte[] pixels, int[] index, bool raw)
    {
        var size = FashionMnistSource.ImageSize;
        var values = new float[index.Length * size];
        var scale = raw ? 1f : 1f / 255f;
        for (var n = 0; n < index.Length; n++)
        {
            var from = index[n] * size;
            for (var p = 0; p < size; p++)
            {
                values[(n * size) + p] = pixels[from + p] * scale;
            }
        }

        return tensor(values, [index.Length, 1, 28, 28]).DetachFromDisposeScope();
    }
}
