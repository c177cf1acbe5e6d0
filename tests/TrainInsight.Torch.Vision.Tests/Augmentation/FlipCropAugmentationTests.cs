using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Augmentation;

public sealed class FlipCropAugmentationTests
{
    [Fact]
    public void Apply_KeepsShapeTypeAndLeavesTheInputAlone()
    {
        using var scope = NewDisposeScope();
        var images = rand(6, 3, 20, 24);
        var copy = images.clone();

        var augmented = new FlipCropAugmentation(seed: 1).Apply(images);

        augmented.shape.Should().Equal(6, 3, 20, 24);
        augmented.dtype.Should().Be(images.dtype);
        images.eq(copy).all().item<bool>().Should().BeTrue();
    }

    [Fact]
    public void Apply_SameSeed_SameResult_OtherSeedDiffers()
    {
        using var scope = NewDisposeScope();
        var images = rand(16, 1, 16, 16);

        var first = new FlipCropAugmentation(seed: 5).Apply(images);
        var second = new FlipCropAugmentation(seed: 5).Apply(images);
        var other = new FlipCropAugmentation(seed: 6).Apply(images);

        second.eq(first).all().item<bool>().Should().BeTrue();
        other.eq(first).all().item<bool>().Should().BeFalse();
    }

    [Fact]
    public void Apply_SmallImages_OnlyFlipsHorizontally()
    {
        using var scope = NewDisposeScope();
        var image = arange(12, dtype: ScalarType.Float32).reshape(1, 1, 3, 4);
        var batch = image.expand(32, 1, 3, 4).contiguous();

        var augmented = new FlipCropAugmentation(seed: 2).Apply(batch);

        var flipped = image.flip(3);
        var flips = 0;
        for (var i = 0; i < 32; i++)
        {
            var one = augmented[i].unsqueeze(0);
            var isFlipped = one.eq(flipped).all().item<bool>();
            (isFlipped || one.eq(image).all().item<bool>()).Should().BeTrue("images under 16 pixels are flipped or kept, never cropped");
            flips += isFlipped ? 1 : 0;
        }

        flips.Should().BeInRange(4, 28, "about half are flipped");
    }

    [Fact]
    public void Apply_LargeImages_CropsWithinFourPixelsOfPadding()
    {
        using var scope = NewDisposeScope();
        var image = (arange(256, dtype: ScalarType.Float32) + 1).reshape(1, 1, 16, 16);
        var batch = image.expand(64, 1, 16, 16).contiguous();

        var augmented = new FlipCropAugmentation(seed: 3).Apply(batch);

        var padded = nn.functional.pad(image, [4, 4, 4, 4]);
        var candidates = new List<Tensor>();
        for (var dy = 0; dy <= 8; dy++)
        {
            for (var dx = 0; dx <= 8; dx++)
            {
                var crop = padded.narrow(2, dy, 16).narrow(3, dx, 16);
                candidates.Add(crop);
                candidates.Add(crop.flip(3));
            }
        }

        var shifted = 0;
        for (var i = 0; i < 64; i++)
        {
            var one = augmented[i].unsqueeze(0);
            candidates.Should().Contain(c => c.eq(one).all().item<bool>(), "every image is a (possibly flipped) 16×16 window of the padded image");
            shifted += one.eq(0).any().item<bool>() ? 1 : 0;
        }

        shifted.Should().BeGreaterThan(32, "most random offsets bring in zero padding");
    }

    [Fact]
    public void Apply_NotABatchOfImages_Throws()
    {
        using var scope = NewDisposeScope();

        FluentActions.Invoking(() => new FlipCropAugmentation(1).Apply(rand(3, 16, 16))).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => new FlipCropAugmentation(1, padding: -1)).Should().Throw<ArgumentOutOfRangeException>();
    }
}
