using TrainInsight.Torch.Vision;

namespace TrainInsight.Testing;

/// <summary>
/// Generated, learnable 28×28 grey-scale images: class k is a bright horizontal band at rows 2k+4 and 2k+5 over faint
/// noise. Needs no download, so the hook tests run on any machine.
/// </summary>
internal static class SyntheticImages
{
    public static readonly string[] ClassNames = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9"];

    public static ImageClassificationData Create(int count, int seed = 1, int size = 28)
    {
        var random = new Random(seed);
        var pixels = new byte[count * size * size];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = (byte)random.Next(ClassNames.Length);
            labels[i] = label;
            var image = pixels.AsSpan(i * size * size, size * size);
            for (var p = 0; p < image.Length; p++)
            {
                image[p] = (byte)random.Next(40);
            }

            for (var row = (2 * label) + 4; row < (2 * label) + 6 && row < size; row++)
            {
                for (var column = 2; column < size - 2; column++)
                {
                    image[(row * size) + column] = (byte)(200 + random.Next(56));
                }
            }
        }

        return new ImageClassificationData(pixels, labels, 1, size, size, ClassNames);
    }
}
