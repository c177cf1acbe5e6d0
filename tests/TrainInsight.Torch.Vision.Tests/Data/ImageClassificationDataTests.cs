using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Data;

public sealed class ImageClassificationDataTests
{
    private static readonly string[] s_classes = ["a", "b", "c"];

    [Fact]
    public void Constructor_ValidPixels_ScalesToUnitRangeInNchwLayout()
    {
        // Two 2-channel 1×2 images; channel-major within an image.
        byte[] pixels = [0, 255, 51, 102, 255, 0, 153, 204];
        using var data = new ImageClassificationData(pixels, [2, 0], channels: 2, height: 1, width: 2, s_classes);

        data.Count.Should().Be(2);
        data.Channels.Should().Be(2);
        data.Height.Should().Be(1);
        data.Width.Should().Be(2);
        data.ClassNames.Should().Equal(s_classes);
        using var scope = NewDisposeScope();
        var (images, labels) = data.Batches(2).Single();
        images.shape.Should().Equal(2, 2, 1, 2);
        var values = images.data<float>().ToArray();
        float[] expected = [0f, 1f, 0.2f, 0.4f, 1f, 0f, 0.6f, 0.8f];
        values.Should().HaveCount(expected.Length);
        values.Zip(expected).Should().OnlyContain(p => Math.Abs(p.First - p.Second) < 1e-6f);
        labels.data<long>().ToArray().Should().Equal(2, 0);
    }

    [Theory]
    [InlineData(10, 3)]
    [InlineData(9, 3)]
    [InlineData(250, 7)]
    [InlineData(5, 5)]
    [InlineData(5, 100)]
    public void Batches_OnePass_CoversEveryIndexExactlyOnceInFileOrder(int count, int batchSize)
    {
        using var data = IndexedData(count);

        var seen = ReadPass(data, batchSize, shuffleSeed: null, out var batchSizes);

        seen.Should().Equal(Enumerable.Range(0, count).Select(i => (long)i));
        batchSizes.Should().HaveCount(data.BatchCount(batchSize));
        batchSizes.SkipLast(1).Where(s => s != batchSize).Should().BeEmpty("only the last batch may be smaller");
        batchSizes[^1].Should().Be(count - ((data.BatchCount(batchSize) - 1) * batchSize));
    }

    [Fact]
    public void Batches_Shuffled_CoversEveryIndexExactlyOnce()
    {
        using var data = IndexedData(250);

        var seen = ReadPass(data, 32, shuffleSeed: 3, out _);

        seen.Should().BeEquivalentTo(Enumerable.Range(0, 250).Select(i => (long)i));
        seen.Should().NotEqual(Enumerable.Range(0, 250).Select(i => (long)i), "a shuffled pass is not in file order");
    }

    [Fact]
    public void Batches_SameSeed_GivesSameOrder()
    {
        using var data = IndexedData(250);

        ReadPass(data, 16, shuffleSeed: 11, out _).Should().Equal(ReadPass(data, 16, shuffleSeed: 11, out _));
    }

    [Fact]
    public void Batches_DifferentSeeds_GiveDifferentOrders()
    {
        using var data = IndexedData(250);

        ReadPass(data, 16, shuffleSeed: 11, out _).Should().NotEqual(ReadPass(data, 16, shuffleSeed: 12, out _));
    }

    [Fact]
    public void Batches_LabelsTravelWithTheirImages()
    {
        using var data = IndexedData(250);
        using var scope = NewDisposeScope();

        foreach (var (images, labels) in data.Batches(64, shuffleSeed: 5))
        {
            var indices = FirstPixels(images).round().to_type(ScalarType.Int64).data<long>().ToArray();
            labels.data<long>().ToArray().Should().Equal(indices.Select(i => i % 3));
        }
    }

    [Fact]
    public void Batches_InsideCallerScope_TensorsBelongToThatScope()
    {
        using var data = IndexedData(20);
        var batches = new List<Tensor>();

        using (var scope = NewDisposeScope())
        {
            foreach (var (images, labels) in data.Batches(8))
            {
                scope.Contains(images).Should().BeTrue();
                scope.Contains(labels).Should().BeTrue();
                batches.Add(images);
                batches.Add(labels);
            }
        }

        batches.Should().HaveCount(6).And.OnlyContain(t => t.IsInvalid, "the caller's scope freed every batch tensor");
    }

    [Fact]
    public void Dispose_FreesTheDataTensors()
    {
        var data = IndexedData(10);

        data.Dispose();

        FluentActions.Invoking(() => data.Batches(5).First()).Should().Throw<InvalidOperationException>("the image tensor is gone");
    }

    [Fact]
    public void Constructor_CreatedInsideScope_SurvivesTheScope()
    {
        ImageClassificationData data;
        using (NewDisposeScope())
        {
            data = IndexedData(10);
        }

        using (data)
        using (NewDisposeScope())
        {
            data.Batches(10).Single().Images.shape.Should().Equal(10, 1, 2, 2);
        }
    }

    [Fact]
    public void BatchCount_RoundsUp()
    {
        using var data = IndexedData(10);

        data.BatchCount(1).Should().Be(10);
        data.BatchCount(3).Should().Be(4);
        data.BatchCount(10).Should().Be(1);
        data.BatchCount(11).Should().Be(1);
    }

    [Fact]
    public void BatchSize_BelowOne_ThrowsEagerly()
    {
        using var data = IndexedData(10);

        FluentActions.Invoking(() => data.BatchCount(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => data.Batches(0)).Should().Throw<ArgumentOutOfRangeException>("the argument is checked when Batches is called, not when it is enumerated");
    }

    [Fact]
    public void Constructor_PixelCountMismatch_ThrowsArgumentException()
    {
        var act = () => new ImageClassificationData(new byte[7], [0, 1], 1, 2, 2, s_classes);

        act.Should().Throw<ArgumentException>().WithParameterName("pixels").WithMessage("2 labels need 8 pixels, but 7 were given.*");
    }

    [Fact]
    public void Constructor_ImageSizeBeyondInt32_ThrowsArgumentExceptionWithTheTrueCount()
    {
        // 65,536 × 65,536 pixels per image wraps to 0 in 32-bit arithmetic; it must not read as "no pixels needed".
        var act = () => new ImageClassificationData([], [0], 1, 65_536, 65_536, s_classes);

        act.Should().Throw<ArgumentException>().WithParameterName("pixels").WithMessage("1 labels need 4?294?967?296 pixels, but 0 were given.*");
    }

    [Fact]
    public void Constructor_LabelOutOfRange_ThrowsArgumentException()
    {
        var act = () => new ImageClassificationData(new byte[8], [0, 3], 1, 2, 2, s_classes);

        act.Should().Throw<ArgumentException>().WithParameterName("labels").WithMessage("Label 3 at index 1 is out of range for 3 classes.*");
    }

    [Fact]
    public void Constructor_InvalidShapeOrClasses_Throws()
    {
        FluentActions.Invoking(() => new ImageClassificationData(new byte[4], [0], 0, 2, 2, s_classes)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ImageClassificationData(new byte[4], [0], 1, 0, 2, s_classes)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ImageClassificationData(new byte[4], [0], 1, 2, 0, s_classes)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new ImageClassificationData(new byte[4], [0], 1, 2, 2, [])).Should().Throw<ArgumentException>().WithParameterName("classNames");
        FluentActions.Invoking(() => new ImageClassificationData(new byte[4], [0], 1, 2, 2, null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void Constructor_NoImages_GivesEmptyPass()
    {
        using var data = new ImageClassificationData([], [], 1, 2, 2, s_classes);

        data.Count.Should().Be(0);
        data.BatchCount(4).Should().Be(0);
        data.Batches(4).Should().BeEmpty();
    }

    /// <summary>1×2×2 images whose first pixel is the image's index (count ≤ 256), label = index mod 3.</summary>
    private static ImageClassificationData IndexedData(int count)
    {
        var pixels = new byte[count * 4];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            pixels[i * 4] = (byte)i;
            labels[i] = (byte)(i % 3);
        }

        return new ImageClassificationData(pixels, labels, 1, 2, 2, s_classes);
    }

    private static List<long> ReadPass(ImageClassificationData data, int batchSize, int? shuffleSeed, out List<int> batchSizes)
    {
        var seen = new List<long>();
        batchSizes = [];
        foreach (var (images, labels) in data.Batches(batchSize, shuffleSeed))
        {
            using var scope = NewDisposeScope();
            scope.Attach(images, labels);
            images.shape[1..].Should().Equal(1, 2, 2);
            labels.shape[0].Should().Be(images.shape[0]);
            batchSizes.Add((int)images.shape[0]);
            seen.AddRange(FirstPixels(images).round().to_type(ScalarType.Int64).data<long>().ToArray());
        }

        return seen;
    }

    private static Tensor FirstPixels(Tensor images) => images.reshape(images.shape[0], -1).select(1, 0).mul(255);
}
