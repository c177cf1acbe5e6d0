using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Data;

public sealed class FashionMnistTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [FashionMnistFact]
    public void Load_RealTrainingSplitWithLimit_ReturnsNormalisedImagesAndLabelsInRange()
    {
        using var data = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: 512);

        data.Count.Should().Be(512);
        data.Channels.Should().Be(1);
        data.Height.Should().Be(28);
        data.Width.Should().Be(28);
        data.ClassNames.Should().Equal(FashionMnist.ClassNames);
        using var scope = NewDisposeScope();
        var (images, labels) = data.Batches(512).Single();
        images.shape.Should().Equal(512, 1, 28, 28);
        images.dtype.Should().Be(ScalarType.Float32);
        labels.shape.Should().Equal(512);
        labels.dtype.Should().Be(ScalarType.Int64);
        images.min().item<float>().Should().BeGreaterThanOrEqualTo(0f);
        images.max().item<float>().Should().BeApproximately(1f, 1e-6f, "Fashion-MNIST images use the full 0..255 range");
        var labelValues = labels.data<long>().ToArray();
        labelValues.Should().OnlyContain(l => l >= 0 && l <= 9);
        labelValues.Distinct().Should().HaveCount(10, "512 Fashion-MNIST images include every class");
    }

    [FashionMnistFact]
    public void Load_RealTestSplit_ReturnsAllTenThousandImages()
    {
        using var data = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false);

        data.Count.Should().Be(10_000);
        data.BatchCount(1_000).Should().Be(10);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Load_GeneratedFiles_ReturnsTheirContent(bool train, bool gzip)
    {
        var prefix = train ? "train" : "t10k";
        var suffix = gzip ? ".gz" : "";
        var pixels = IdxFile.Pixels(6, 28, 28);
        IdxFile.Write(_directory.File($"{prefix}-images-idx3-ubyte{suffix}"), IdxFile.Images(6, 28, 28, pixels), gzip);
        IdxFile.Write(_directory.File($"{prefix}-labels-idx1-ubyte{suffix}"), IdxFile.Labels([0, 1, 2, 3, 4, 9]), gzip);

        using var data = FashionMnist.Load(_directory.Path, train);

        data.Count.Should().Be(6);
        using var scope = NewDisposeScope();
        var (images, labels) = data.Batches(6).Single();
        labels.data<long>().ToArray().Should().Equal(0, 1, 2, 3, 4, 9);
        images[5, 0, 0, 1].item<float>().Should().BeApproximately(pixels[(5 * 784) + 1] / 255f, 1e-6f);
    }

    [Fact]
    public void Load_LimitBelowCount_KeepsFirstImages()
    {
        WriteTrainingSplit(count: 5);

        using var data = FashionMnist.Load(_directory.Path, train: true, limit: 2);

        data.Count.Should().Be(2);
        using var scope = NewDisposeScope();
        data.Batches(10).Single().Labels.data<long>().ToArray().Should().Equal(0, 1);
    }

    [Fact]
    public void Load_LimitAboveCount_KeepsAllImages()
    {
        WriteTrainingSplit(count: 5);

        using var data = FashionMnist.Load(_directory.Path, train: true, limit: 1_000);

        data.Count.Should().Be(5);
    }

    [Fact]
    public void Load_LabelsAndImagesDisagree_ThrowsInvalidDataNamingBothFiles()
    {
        var imagesPath = IdxFile.Write(_directory.File("train-images-idx3-ubyte"), IdxFile.Images(3, 28, 28, IdxFile.Pixels(3, 28, 28)));
        var labelsPath = IdxFile.Write(_directory.File("train-labels-idx1-ubyte.gz"), IdxFile.Labels([1, 2]), gzip: true);

        var act = () => FashionMnist.Load(_directory.Path, train: true);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{imagesPath}' holds 3 images but '{labelsPath}' holds 2 labels.");
    }

    [Fact]
    public void Load_CorruptImagesFile_ThrowsInvalidDataNamingFile()
    {
        var imagesPath = IdxFile.Write(_directory.File("t10k-images-idx3-ubyte"), IdxFile.Labels([1, 2]));
        IdxFile.Write(_directory.File("t10k-labels-idx1-ubyte"), IdxFile.Labels([1, 2]));

        var act = () => FashionMnist.Load(_directory.Path, train: false);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{imagesPath}'*");
    }

    [Fact]
    public void Load_LabelOutOfRange_ThrowsArgumentException()
    {
        IdxFile.Write(_directory.File("train-images-idx3-ubyte"), IdxFile.Images(2, 28, 28, IdxFile.Pixels(2, 28, 28)));
        IdxFile.Write(_directory.File("train-labels-idx1-ubyte"), IdxFile.Labels([1, 10]));

        var act = () => FashionMnist.Load(_directory.Path, train: true);

        act.Should().Throw<ArgumentException>().WithMessage("Label 10 at index 1 is out of range for 10 classes*");
    }

    [Fact]
    public void Load_MissingDirectory_ThrowsFileNotFoundSayingHowToInstall()
    {
        var missing = _directory.File("not-there");

        var act = () => FashionMnist.Load(missing, train: true);

        act.Should().Throw<FileNotFoundException>()
            .WithMessage($"*train-images-idx3-ubyte*'{missing}'*apt-get install dataset-fashion-mnist*");
    }

    [Fact]
    public void Load_LabelsFileMissing_ThrowsFileNotFoundNamingIt()
    {
        IdxFile.Write(_directory.File("t10k-images-idx3-ubyte.gz"), IdxFile.Images(1, 28, 28, IdxFile.Pixels(1, 28, 28)), gzip: true);

        var act = () => FashionMnist.Load(_directory.Path, train: false);

        act.Should().Throw<FileNotFoundException>()
            .WithMessage("Fashion-MNIST file 't10k-labels-idx1-ubyte' (or 't10k-labels-idx1-ubyte.gz')*apt-get install dataset-fashion-mnist*");
    }

    [Fact]
    public void Load_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => FashionMnist.Load("", train: true)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => FashionMnist.Load(null!, train: true)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => FashionMnist.Load(_directory.Path, train: true, limit: 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("limit");
    }

    [Fact]
    public void ClassNames_HasTheTenFashionMnistClassesInLabelOrder()
    {
        FashionMnist.ClassNames.Should().HaveCount(10);
        FashionMnist.ClassNames[0].Should().Be("T-shirt/top");
        FashionMnist.ClassNames[9].Should().Be("Ankle boot");
    }

    private void WriteTrainingSplit(int count)
    {
        IdxFile.Write(_directory.File("train-images-idx3-ubyte"), IdxFile.Images(count, 28, 28, IdxFile.Pixels(count, 28, 28)));
        IdxFile.Write(_directory.File("train-labels-idx1-ubyte"), IdxFile.Labels([.. Enumerable.Range(0, count).Select(i => (byte)(i % 10))]));
    }
}
