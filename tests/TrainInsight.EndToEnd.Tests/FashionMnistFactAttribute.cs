using TrainInsight.Torch.Vision;
using Xunit;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>A fact that needs the real Fashion-MNIST files (eng/setup.sh installs them).</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte.gz")) &&
            !File.Exists(Path.Combine(FashionMnist.DefaultDirectory, "train-images-idx3-ubyte")))
        {
            Skip = $"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory} (run eng/setup.sh or apt-get install dataset-fashion-mnist).";
        }
    }
}
