using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Models;

public sealed class SmallResNetTests
{
    [Theory]
    [InlineData(3, 32)]
    [InlineData(1, 28)]
    [InlineData(1, 8)]
    public void Forward_AnyImageSize_ReturnsLogitsPerImageAndClass(int channels, int size)
    {
        using var model = new SmallResNet(channels, classes: 4, width: 8);
        using var scope = NewDisposeScope();

        var output = model.call(rand(3, channels, size, size));

        output.shape.Should().Equal(3, 4);
        output.isfinite().all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Parameters_RegisteredIncludingBlocksAndBatchNorm()
    {
        using var model = new SmallResNet(inputChannels: 3, classes: 10, width: 16);

        model.GetName().Should().Be("SmallResNet");
        var names = model.named_parameters().Select(p => p.name).ToList();
        names.Should().Contain(["_block1._conv1.weight", "_block2._shortcut.0.weight", "_block3._norm2.bias", "_classifier.weight"]);
        names.Should().NotContain(n => n.StartsWith("_block1._shortcut", StringComparison.Ordinal), "the first block keeps its width and stride");
        model.named_buffers().Select(b => b.name).Should().Contain("_stemNorm.running_mean");
        model.parameters().Should().OnlyContain(p => p.requires_grad);
    }

    [Fact]
    public void Training_AFewSteps_LowersTheLoss()
    {
        using var data = SyntheticShapes.Generate(64, size: 16, seed: 3);
        random.manual_seed(1);
        using var model = new SmallResNet(inputChannels: 1, classes: 4, width: 8);

        var (first, last) = ModelTraining.FirstAndLastLoss(model, data, steps: 20);

        last.Should().BeLessThan(first * 0.8);
    }

    [Theory]
    [InlineData(0, 10, 16)]
    [InlineData(3, 1, 16)]
    [InlineData(3, 10, 0)]
    [InlineData(3, 10, 1025)]
    public void Constructor_InvalidArguments_ThrowArgumentOutOfRange(int channels, int classes, int width)
    {
        FluentActions.Invoking(() => new SmallResNet(channels, classes, width)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
