using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Data;

public sealed class SyntheticShapesTests
{
    [Fact]
    public void Generate_Defaults_ReturnsGreyScale32x32ImagesOfFourShapes()
    {
        using var data = SyntheticShapes.Generate(8);

        data.Count.Should().Be(8);
        data.Channels.Should().Be(1);
        data.Height.Should().Be(32);
        data.Width.Should().Be(32);
        data.ClassNames.Should().Equal("circle", "square", "triangle", "cross");
        using var scope = NewDisposeScope();
        var images = data.Batches(8).Single().Images;
        images.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        images.amax([1, 2, 3]).min().item<float>().Should().BeGreaterThanOrEqualTo(160 / 255f, "every image holds a bright shape");
    }

    [Fact]
    public void Generate_SameSeed_GivesIdenticalImagesAndLabels()
    {
        using var first = SyntheticShapes.Generate(20, size: 16, seed: 7, channels: 3);
        using var second = SyntheticShapes.Generate(20, size: 16, seed: 7, channels: 3);
        using var scope = NewDisposeScope();

        var (firstImages, firstLabels) = first.Batches(20).Single();
        var (secondImages, secondLabels) = second.Batches(20).Single();

        firstImages.equal(secondImages).all().item<bool>().Should().BeTrue();
        firstLabels.equal(secondLabels).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Generate_DifferentSeeds_GiveDifferentImages()
    {
        using var first = SyntheticShapes.Generate(20, seed: 1);
        using var second = SyntheticShapes.Generate(20, seed: 2);
        using var scope = NewDisposeScope();

        first.Batches(20).Single().Images.equal(second.Batches(20).Single().Images).all().item<bool>().Should().BeFalse();
    }

    [Theory]
    [InlineData(400)]
    [InlineData(10)]
    public void Generate_AnyCount_BalancesTheClasses(int count)
    {
        using var data = SyntheticShapes.Generate(count, size: 8, seed: 3);
        using var scope = NewDisposeScope();

        var labels = data.Batches(count).Single().Labels.data<long>().ToArray();

        var perClass = labels.GroupBy(l => l).Select(g => g.Count()).ToArray();
        perClass.Should().HaveCount(4);
        (perClass.Max() - perClass.Min()).Should().BeLessThanOrEqualTo(1);
        labels.Take(8).Should().NotEqual(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 }.Take(Math.Min(8, count)), "the order is shuffled");
    }

    [Fact]
    public void Generate_ThreeChannels_ColoursTheShape()
    {
        using var data = SyntheticShapes.Generate(4, channels: 3, seed: 5);

        data.Channels.Should().Be(3);
        using var scope = NewDisposeScope();
        var images = data.Batches(4).Single().Images;
        images.shape.Should().Equal(4, 3, 32, 32);
        images.amax([2, 3]).min().item<float>().Should().BeGreaterThanOrEqualTo(160 / 255f, "each channel of the shape is bright");
    }

    [Fact]
    public void Generate_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => SyntheticShapes.Generate(0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("count");
        FluentActions.Invoking(() => SyntheticShapes.Generate(1, size: 7)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("size");
        FluentActions.Invoking(() => SyntheticShapes.Generate(1, channels: 2)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("channels");
    }

    [Fact]
    public void Train_SmallCnnOnShapes_LossFallsWithinAFewSteps()
    {
        manual_seed(0);
        using var data = SyntheticShapes.Generate(256, seed: 11);
        using var model = new SmallCnn(inputChannels: 1, classes: 4, imageSize: 32);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.003);
        var losses = new List<float>();

        for (var epoch = 0; epoch < 8; epoch++)
        {
            foreach (var (images, labels) in data.Batches(32, shuffleSeed: epoch))
            {
                using (images)
                using (labels)
                using (NewDisposeScope())
                {
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(model.call(images), labels);
                    loss.backward();
                    optimizer.step();
                    losses.Add(loss.item<float>());
                }
            }
        }

        losses.TakeLast(8).Average().Should().BeLessThan(losses.Take(8).Average() * 0.7f, "shapes are learnable (about 1.4 to 0.7 with this seed)");
    }
}
