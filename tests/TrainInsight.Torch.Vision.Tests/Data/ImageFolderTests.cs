using SkiaSharp;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Data;

public sealed class ImageFolderTests : IDisposable
{
    // JPEG is lossy: a solid colour comes back within a few levels.
    private const float JpegTolerance = 6 / 255f;
    private const float ExactTolerance = 1e-6f;

    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Theory]
    [InlineData("png", SKEncodedImageFormat.Png, ExactTolerance)]
    [InlineData("jpg", SKEncodedImageFormat.Jpeg, JpegTolerance)]
    [InlineData("JPEG", SKEncodedImageFormat.Jpeg, JpegTolerance)]
    [InlineData("webp", SKEncodedImageFormat.Webp, JpegTolerance)]
    public void Load_SolidColourImage_ReturnsItsChannelValuesChannelMajor(string extension, SKEncodedImageFormat format, float tolerance)
    {
        WriteImage($"teal/a.{extension}", 8, 8, new SKColor(20, 140, 230), format);

        using var data = ImageFolder.Load(_root.Path, 8, 8);

        data.Count.Should().Be(1);
        data.Channels.Should().Be(3);
        using var scope = NewDisposeScope();
        var images = data.Batches(1).Single().Images;
        images.shape.Should().Equal(1, 3, 8, 8);
        ChannelMean(images, 0).Should().BeApproximately(20 / 255f, tolerance);
        ChannelMean(images, 1).Should().BeApproximately(140 / 255f, tolerance);
        ChannelMean(images, 2).Should().BeApproximately(230 / 255f, tolerance);
        (images.max() - images.min()).item<float>().Should().BeGreaterThan(0.5f, "the channels differ");
    }

    [Fact]
    public void Load_ClassFolders_AreSortedOrdinallyAndLabelTheirImages()
    {
        WriteImage("b/1.png", 4, 4, SKColors.Red);
        WriteImage("B/1.png", 4, 4, SKColors.Lime);
        WriteImage("B/2.jpg", 4, 4, SKColors.Lime, SKEncodedImageFormat.Jpeg);
        WriteImage("a/1.png", 4, 4, SKColors.Blue);

        using var data = ImageFolder.Load(_root.Path, 4, 4);

        data.ClassNames.Should().Equal("B", "a", "b");
        using var scope = NewDisposeScope();
        var (images, labels) = data.Batches(10).Single();
        labels.data<long>().ToArray().Should().Equal(0, 0, 1, 2);
        images[0, 1, 2, 2].item<float>().Should().BeApproximately(1f, ExactTolerance, "B is green");
        images[2, 2, 2, 2].item<float>().Should().BeApproximately(1f, ExactTolerance, "a is blue");
        images[3, 0, 2, 2].item<float>().Should().BeApproximately(1f, ExactTolerance, "b is red");
    }

    [Fact]
    public void Load_LargerImages_AreResizedToTheRequestedSize()
    {
        WriteImage("wide/1.png", 40, 20, new SKColor(200, 100, 50));
        WriteImage("wide/2.png", 7, 3, new SKColor(200, 100, 50));

        using var data = ImageFolder.Load(_root.Path, width: 12, height: 6);

        data.Width.Should().Be(12);
        data.Height.Should().Be(6);
        using var scope = NewDisposeScope();
        var images = data.Batches(2).Single().Images;
        images.shape.Should().Equal(2, 3, 6, 12);
        images[.., 0].min().item<float>().Should().BeApproximately(200 / 255f, 1 / 255f, "resizing a solid colour keeps it");
        images[.., 1].max().item<float>().Should().BeApproximately(100 / 255f, 1 / 255f);
    }

    [Fact]
    public void Load_OneChannel_ConvertsToLuma()
    {
        WriteImage("red/1.png", 4, 4, SKColors.Red);
        WriteImage("white/1.png", 4, 4, SKColors.White);

        using var data = ImageFolder.Load(_root.Path, 4, 4, channels: 1);

        data.Channels.Should().Be(1);
        using var scope = NewDisposeScope();
        var images = data.Batches(2).Single().Images;
        images.shape.Should().Equal(2, 1, 4, 4);
        images[0, 0, 1, 1].item<float>().Should().BeApproximately(76 / 255f, ExactTolerance, "BT.601 luma of pure red is 0.299 × 255");
        images[1, 0, 3, 3].item<float>().Should().BeApproximately(1f, ExactTolerance);
    }

    [Fact]
    public void Load_LimitPerClass_KeepsFirstFilesOfEachClassAndIgnoresOtherFiles()
    {
        WriteImage("x/3.png", 2, 2, SKColors.Black);
        WriteImage("x/1.png", 2, 2, SKColors.White);
        WriteImage("x/2.png", 2, 2, SKColors.Black);
        WriteImage("y/1.png", 2, 2, SKColors.Black);
        File.WriteAllText(Path.Combine(_root.Path, "x", "0-readme.txt"), "not an image");
        File.WriteAllText(Path.Combine(_root.Path, "notes.txt"), "not a class");

        using var data = ImageFolder.Load(_root.Path, 2, 2, limitPerClass: 2);

        data.Count.Should().Be(3);
        using var scope = NewDisposeScope();
        var (images, labels) = data.Batches(3).Single();
        labels.data<long>().ToArray().Should().Equal(0, 0, 1);
        images[0].min().item<float>().Should().Be(1f, "x/1.png (white) sorts first");
    }

    [Fact]
    public void Load_MissingRoot_ThrowsDirectoryNotFoundNamingIt()
    {
        var missing = _root.File("not-there");

        var act = () => ImageFolder.Load(missing, 4, 4);

        act.Should().Throw<DirectoryNotFoundException>().WithMessage($"*'{missing}'*");
    }

    [Fact]
    public void Load_NoClassFolders_ThrowsInvalidDataNamingRoot()
    {
        File.WriteAllText(_root.File("image.txt"), "");

        var act = () => ImageFolder.Load(_root.Path, 4, 4);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{_root.Path}' holds no class folders*");
    }

    [Fact]
    public void Load_EmptyClassFolder_ThrowsInvalidDataNamingIt()
    {
        WriteImage("cat/1.png", 4, 4, SKColors.Red);
        var empty = Directory.CreateDirectory(_root.File("dog")).FullName;
        File.WriteAllText(Path.Combine(empty, "labels.csv"), "");

        var act = () => ImageFolder.Load(_root.Path, 4, 4);

        act.Should().Throw<InvalidDataException>().WithMessage($"Class folder '{empty}' holds no images*");
    }

    [Theory]
    [InlineData("garbage.png", new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 })]
    [InlineData("empty.jpg", new byte[0])]
    [InlineData("truncated.png", new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 })]
    public void Load_UndecodableImage_ThrowsInvalidDataNamingTheFile(string name, byte[] content)
    {
        WriteImage("cat/1.png", 4, 4, SKColors.Red);
        var path = Path.Combine(_root.Path, "cat", name);
        File.WriteAllBytes(path, content);

        var act = () => ImageFolder.Load(_root.Path, 4, 4);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' could not be decoded as an image*");
    }

    [Fact]
    public void Load_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => ImageFolder.Load("", 4, 4)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => ImageFolder.Load(null!, 4, 4)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => ImageFolder.Load(_root.Path, 0, 4)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("width");
        FluentActions.Invoking(() => ImageFolder.Load(_root.Path, 4, 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("height");
        FluentActions.Invoking(() => ImageFolder.Load(_root.Path, 4, 4, channels: 2)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("channels");
        FluentActions.Invoking(() => ImageFolder.Load(_root.Path, 4, 4, limitPerClass: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("limitPerClass");
    }

    private static float ChannelMean(Tensor images, int channel) => images[.., channel].mean().item<float>();

    private void WriteImage(string relativePath, int width, int height, SKColor colour, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var path = Path.Combine(_root.Path, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        bitmap.Erase(colour);
        using var image = SKImage.FromBitmap(bitmap);
        using var encoded = image.Encode(format, 100);
        File.WriteAllBytes(path, encoded.ToArray());
    }
}
