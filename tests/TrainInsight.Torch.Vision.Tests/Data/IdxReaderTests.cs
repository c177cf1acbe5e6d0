namespace TrainInsight.Torch.Vision.Tests.Data;

public sealed class IdxReaderTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_ValidFile_ReturnsDimensionsAndPixels(bool gzip)
    {
        var pixels = IdxFile.Pixels(5, 4, 3);
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Images(5, 4, 3, pixels), gzip);

        var images = IdxReader.ReadImages(path);

        images.Count.Should().Be(5);
        images.Rows.Should().Be(4);
        images.Columns.Should().Be(3);
        images.Pixels.ToArray().Should().Equal(pixels);
    }

    [Fact]
    public void ReadImages_GzipContentWithoutGzExtension_DetectsCompressionFromContent()
    {
        var pixels = IdxFile.Pixels(2, 2, 2);
        var path = IdxFile.Write(_directory.File("images-idx3-ubyte"), IdxFile.Images(2, 2, 2, pixels), gzip: true);

        IdxReader.ReadImages(path).Pixels.ToArray().Should().Equal(pixels);
    }

    [Fact]
    public void ReadImages_PlainContentWithGzExtension_ReadsItUncompressed()
    {
        var pixels = IdxFile.Pixels(2, 2, 2);
        var path = IdxFile.Write(_directory.File("images-idx3-ubyte.gz"), IdxFile.Images(2, 2, 2, pixels));

        IdxReader.ReadImages(path).Pixels.ToArray().Should().Equal(pixels);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadLabels_ValidFile_ReturnsLabels(bool gzip)
    {
        byte[] labels = [9, 0, 3, 3, 7];
        var path = IdxFile.Write(_directory.File("labels"), IdxFile.Labels(labels), gzip);

        IdxReader.ReadLabels(path).Should().Equal(labels);
    }

    [Fact]
    public void ReadImages_ZeroImages_ReturnsEmptySet()
    {
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Images(0, 28, 28, []));

        var images = IdxReader.ReadImages(path);

        images.Count.Should().Be(0);
        images.Rows.Should().Be(28);
        images.Pixels.Length.Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_WrongMagic_ThrowsInvalidDataNamingFile(bool gzip)
    {
        var content = IdxFile.Images(1, 2, 2, IdxFile.Pixels(1, 2, 2));
        content[0] = 0x12;
        content[1] = 0x34;
        var path = IdxFile.Write(_directory.File("images"), content, gzip);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*not an IDX file*0x1234*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_WrongDataType_ThrowsInvalidDataNamingFile(bool gzip)
    {
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Build(0x0D, [1, 2, 2], new byte[16]), gzip);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}'*0x0D*unsigned bytes*");
    }

    [Fact]
    public void ReadImages_LabelsFile_ThrowsInvalidDataNamingFileAndRank()
    {
        var path = IdxFile.Write(_directory.File("labels"), IdxFile.Labels([1, 2, 3]));

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}' has 1 dimensions; expected 3 (images)*");
    }

    [Fact]
    public void ReadLabels_ImagesFile_ThrowsInvalidDataNamingFileAndRank()
    {
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Images(1, 2, 2, IdxFile.Pixels(1, 2, 2)));

        var act = () => IdxReader.ReadLabels(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"*'{path}' has 3 dimensions; expected 1 (labels)*");
    }

    [Theory]
    [InlineData(0, false, "the magic number")]
    [InlineData(3, false, "the magic number")]
    [InlineData(6, false, "dimension 0")]
    [InlineData(14, false, "dimension 2")]
    [InlineData(3, true, "the magic number")]
    [InlineData(9, true, "dimension 1")]
    public void ReadImages_TruncatedHeader_ThrowsInvalidDataNamingFile(int length, bool gzip, string what)
    {
        var content = IdxFile.Images(1, 2, 2, IdxFile.Pixels(1, 2, 2))[..length];
        var path = IdxFile.Write(_directory.File("images"), content, gzip);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is truncated: it ended while reading {what}*");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadImages_TruncatedData_ThrowsInvalidDataNamingFile(bool gzip)
    {
        var content = IdxFile.Images(2, 3, 3, IdxFile.Pixels(2, 3, 3));
        var path = IdxFile.Write(_directory.File("images"), content[..^8], gzip);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is truncated: it ended while reading 18 bytes of data (10 of 18 bytes)*");
    }

    [Fact]
    public void ReadLabels_TruncatedData_ThrowsInvalidDataNamingFile()
    {
        var path = IdxFile.Write(_directory.File("labels"), IdxFile.Labels([1, 2, 3, 4])[..^1]);

        var act = () => IdxReader.ReadLabels(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is truncated*");
    }

    [Fact]
    public void ReadImages_CorruptGzip_ThrowsInvalidDataNamingFile()
    {
        var content = IdxFile.Gzip(IdxFile.Images(4, 8, 8, IdxFile.Pixels(4, 8, 8)));
        // Keep the gzip magic (so the reader decompresses) and garble the compression method and the deflate data.
        for (var i = 2; i < content.Length - 8; i++)
        {
            content[i] = (byte)(0xA5 ^ i);
        }

        var path = IdxFile.Write(_directory.File("images.gz"), content);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}'*");
    }

    [Fact]
    public void ReadImages_GzipCutShort_ThrowsInvalidDataNamingFile()
    {
        var content = IdxFile.Gzip(IdxFile.Images(64, 28, 28, IdxFile.Pixels(64, 28, 28)));
        var path = IdxFile.Write(_directory.File("images.gz"), content[..(content.Length / 2)]);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}'*");
    }

    [Fact]
    public void ReadImages_NegativeDimension_ThrowsInvalidDataNamingFile()
    {
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Build(0x08, [-1, 2, 2], []));

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' declares an invalid size -1 for dimension 0*");
    }

    [Fact]
    public void ReadImages_ZeroRows_ThrowsInvalidDataNamingFile()
    {
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Build(0x08, [3, 0, 2], []));

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' declares an invalid size 0 for dimension 1*");
    }

    [Fact]
    public void ReadImages_DeclaredSizeTooLarge_ThrowsInvalidDataNamingFile()
    {
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Build(0x08, [65_536, 65_536, 65_536], []));

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' declares *bytes of data, more than can be loaded*");
    }

    [Fact]
    public void ReadImages_DeclaredSizeOverflowsInt64_ThrowsInvalidDataNamingFile()
    {
        // 2^21 × 2^21 × 2^22 = 2^64, which wraps to 0 in 64-bit arithmetic: a header that must not read as "no data".
        var path = IdxFile.Write(_directory.File("images"), IdxFile.Build(0x08, [1 << 21, 1 << 21, 1 << 22], []));

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' declares *more than can be loaded*");
    }

    [Fact]
    public void ReadImages_EmptyFile_ThrowsInvalidDataNamingFile()
    {
        var path = IdxFile.Write(_directory.File("images"), []);

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is truncated*");
    }

    [Fact]
    public void ReadImages_MissingFile_ThrowsFileNotFound()
    {
        var path = _directory.File("nope");

        var act = () => IdxReader.ReadImages(path);

        act.Should().Throw<FileNotFoundException>().Which.FileName.Should().Be(path);
    }

    [Fact]
    public void ReadLabels_NullOrEmptyPath_ThrowsArgumentException()
    {
        FluentActions.Invoking(() => IdxReader.ReadLabels(null!)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => IdxReader.ReadLabels("")).Should().Throw<ArgumentException>();
    }
}
