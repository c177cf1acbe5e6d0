using TrainInsight.Torch.Vision;

namespace TrainInsight.Testing;

/// <summary>A fact that needs the real Fashion-MNIST files; skipped, saying how to get them, when they are not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")) &&
            !File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte")))
        {
            Skip = $"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory} (sudo apt-get install dataset-fashion-mnist, or run eng/setup.sh).";
        }
    }
}
