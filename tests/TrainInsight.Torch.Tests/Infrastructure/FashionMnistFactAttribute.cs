using TrainInsight.Torch.Vision;

namespace TrainInsight.Torch.Tests;

/// <summary>A fact that needs the real Fashion-MNIST files; skipped, saying how to get them, when they are not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(FashionMnist.DefaultDirectory))
        {
            Skip = $"Fashion-MNIST is not installed in {FashionMnist.DefaultDirectory} (sudo apt-get install dataset-fashion-mnist, or run eng/setup.sh).";
        }
    }
}
