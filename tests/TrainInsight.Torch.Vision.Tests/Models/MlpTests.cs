using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Models;

public sealed class MlpTests
{
    [Fact]
    public void Forward_Images_ReturnsLogitsPerImageAndClass()
    {
        using var model = new Mlp(3, 16, 16, [64, 32], classes: 4);
        using var scope = NewDisposeScope();

        var output = model.call(rand(5, 3, 16, 16));

        output.shape.Should().Equal(5, 4);
        output.isfinite().all().item<bool>().Should().BeTrue();
        model.GetName().Should().Be("Mlp");
        model.parameters().Sum(p => p.numel()).Should().Be((768 * 64) + 64 + (64 * 32) + 32 + (32 * 4) + 4);
    }

    [Fact]
    public void Forward_NoHiddenLayers_IsALinearClassifier()
    {
        using var model = new Mlp(1, 8, 8, [], classes: 3);
        using var scope = NewDisposeScope();

        model.call(rand(2, 1, 8, 8)).shape.Should().Equal(2, 3);
        model.parameters().Should().HaveCount(2);
    }

    [Fact]
    public void Training_AFewSteps_LowersTheLoss()
    {
        using var data = SyntheticShapes.Generate(64, size: 16, seed: 3);
        random.manual_seed(1);
        using var model = new Mlp(1, 16, 16, [64], classes: 4);

        var (first, last) = ModelTraining.FirstAndLastLoss(model, data, steps: 30);

        last.Should().BeLessThan(first * 0.8);
    }

    [Theory]
    [InlineData(0, 8, 8, 4)]
    [InlineData(1, 0, 8, 4)]
    [InlineData(1, 8, 0, 4)]
    [InlineData(1, 8, 8, 1)]
    public void Constructor_InvalidArguments_ThrowArgumentOutOfRange(int channels, int height, int width, int classes)
    {
        FluentActions.Invoking(() => new Mlp(channels, height, width, [8], classes)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Constructor_InvalidHiddenSizes_Throw()
    {
        FluentActions.Invoking(() => new Mlp(1, 8, 8, [8, 0], 4)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("hiddenSizes");
        FluentActions.Invoking(() => new Mlp(1, 8, 8, null!, 4)).Should().Throw<ArgumentNullException>().WithParameterName("hiddenSizes");
    }
}
