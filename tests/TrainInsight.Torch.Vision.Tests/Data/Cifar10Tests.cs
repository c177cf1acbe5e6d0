using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests.Data;

public sealed class Cifar10Tests : IDisposable
{
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void Load_GeneratedTestBatch_ReturnsExactPixelsAndLabels()
    {
        var records = Records(4, firstLabel: 3);
        WriteBatch("test_batch.bin", records);

        using var data = Cifar10.Load(_directory.Path, train: false);

        data.Count.Should().Be(4);
        data.Channels.Should().Be(3);
        data.Height.Should().Be(32);
        data.Width.Should().Be(32);
        data.ClassNames.Should().Equal(Cifar10.ClassNames);
        using var scope = NewDisposeScope();
        var (images, labels) = data.Batches(4).Single();
        labels.data<long>().ToArray().Should().Equal(3, 4, 5, 6);
        foreach (var (image, channel, row, column) in new[] { (0, 0, 0, 0), (1, 1, 5, 7), (2, 2, 31, 31), (3, 0, 16, 3) })
        {
            var expected = records[(image * Cifar10.RecordSize) + 1 + (channel * 1024) + (row * 32) + column] / 255f;
            images[image, channel, row, column].item<float>().Should().BeApproximately(expected, 1e-6f, $"image {image}, channel {channel}, ({row}, {column})");
        }
    }

    [Fact]
    public void Load_TrainingSplit_ConcatenatesTheFiveBatchesInOrder()
    {
        for (var batch = 1; batch <= 5; batch++)
        {
            WriteBatch($"data_batch_{batch}.bin", Records(2, firstLabel: 2 * (batch - 1)));
        }

        using var data = Cifar10.Load(_directory.Path, train: true);

        data.Count.Should().Be(10);
        using var scope = NewDisposeScope();
        data.Batches(10).Single().Labels.data<long>().ToArray().Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    [Fact]
    public void Load_LimitSpanningFiles_KeepsFirstImages()
    {
        for (var batch = 1; batch <= 5; batch++)
        {
            WriteBatch($"data_batch_{batch}.bin", Records(2, firstLabel: 2 * (batch - 1)));
        }

        using var data = Cifar10.Load(_directory.Path, train: true, limit: 3);

        data.Count.Should().Be(3);
        using var scope = NewDisposeScope();
        data.Batches(10).Single().Labels.data<long>().ToArray().Should().Equal(0, 1, 2);
    }

    [Fact]
    public void Load_LimitAboveCount_KeepsAllImages()
    {
        WriteBatch("test_batch.bin", Records(3, firstLabel: 0));

        using var data = Cifar10.Load(_directory.Path, train: false, limit: 1_000);

        data.Count.Should().Be(3);
    }

    [Fact]
    public void Load_MetaFilePresent_UsesItsClassNames()
    {
        WriteBatch("test_batch.bin", Records(1, firstLabel: 0));
        File.WriteAllLines(_directory.File("batches.meta.txt"), [.. Enumerable.Range(0, 10).Select(i => $"class{i}"), "", ""]);

        using var data = Cifar10.Load(_directory.Path, train: false);

        data.ClassNames.Should().Equal(Enumerable.Range(0, 10).Select(i => $"class{i}"));
    }

    [Fact]
    public void Load_MetaFileWithTooFewNames_ThrowsInvalidDataNamingIt()
    {
        WriteBatch("test_batch.bin", Records(1, firstLabel: 0));
        var meta = _directory.File("batches.meta.txt");
        File.WriteAllLines(meta, ["a", "b"]);

        var act = () => Cifar10.Load(_directory.Path, train: false);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{meta}' names 2 classes*");
    }

    [Fact]
    public void Load_MissingDirectory_ThrowsFileNotFoundNamingTheFile()
    {
        var missing = _directory.File("not-there");

        var act = () => Cifar10.Load(missing, train: false);

        act.Should().Throw<FileNotFoundException>()
            .WithMessage($"CIFAR-10 file 'test_batch.bin' was not found in '{missing}'*")
            .Which.FileName.Should().Be(Path.Combine(missing, "test_batch.bin"));
    }

    [Fact]
    public void Load_OneTrainingBatchMissing_ThrowsFileNotFoundNamingIt()
    {
        foreach (var batch in new[] { 1, 2, 4, 5 })
        {
            WriteBatch($"data_batch_{batch}.bin", Records(1, firstLabel: 0));
        }

        var act = () => Cifar10.Load(_directory.Path, train: true);

        act.Should().Throw<FileNotFoundException>().WithMessage("CIFAR-10 file 'data_batch_3.bin'*");
    }

    [Fact]
    public void Load_LengthNotAMultipleOfTheRecord_ThrowsInvalidDataNamingFileAndLength()
    {
        var path = WriteBatch("test_batch.bin", Records(2, firstLabel: 0)[..^1]);

        var act = () => Cifar10.Load(_directory.Path, train: false);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' is 6,145 bytes long, not a multiple of the 3,073-byte CIFAR-10 record*");
    }

    [Fact]
    public void Load_LabelOutOfRange_ThrowsInvalidDataNamingFileAndRecord()
    {
        var records = Records(3, firstLabel: 0);
        records[2 * Cifar10.RecordSize] = 10;
        var path = WriteBatch("test_batch.bin", records);

        var act = () => Cifar10.Load(_directory.Path, train: false);

        act.Should().Throw<InvalidDataException>().WithMessage($"'{path}' holds label 10 in record 2; CIFAR-10 labels are 0 to 9.");
    }

    [Fact]
    public void Load_InvalidArguments_Throw()
    {
        FluentActions.Invoking(() => Cifar10.Load("", train: true)).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => Cifar10.Load(null!, train: true)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => Cifar10.Load(_directory.Path, train: true, limit: 0))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("limit");
    }

    /// <summary>Records with labels firstLabel, firstLabel + 1, … (mod 10) and pseudo-random pixels.</summary>
    private static byte[] Records(int count, int firstLabel)
    {
        var bytes = new byte[count * Cifar10.RecordSize];
        new Random(count + firstLabel).NextBytes(bytes);
        for (var i = 0; i < count; i++)
        {
            bytes[i * Cifar10.RecordSize] = (byte)((firstLabel + i) % 10);
        }

        return bytes;
    }

    private string WriteBatch(string name, byte[] records)
    {
        var path = _directory.File(name);
        File.WriteAllBytes(path, records);
        return path;
    }
}
