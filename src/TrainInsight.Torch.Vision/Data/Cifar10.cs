namespace TrainInsight.Torch.Vision;

/// <summary>
/// Loads CIFAR-10 from its binary distribution (<c>cifar-10-batches-bin</c>): each record is one label byte followed by
/// 3,072 pixel bytes, the 1,024 red values of a 32 × 32 image row-major, then the green, then the blue.
/// </summary>
public static class Cifar10
{
    /// <summary>The bytes in one record: one label byte and 3 × 32 × 32 pixel bytes.</summary>
    public const int RecordSize = 1 + ImageSize;

    private const int Side = 32;
    private const int Channels = 3;
    private const int ImageSize = Channels * Side * Side;
    private const string MetaFileName = "batches.meta.txt";

    /// <summary>Gets the ten standard CIFAR-10 class names, indexed by label; used when <c>batches.meta.txt</c> is absent.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Loads the training split (<c>data_batch_1.bin</c> … <c>data_batch_5.bin</c>) or the test split (<c>test_batch.bin</c>).</summary>
    /// <param name="directory">The folder holding the <c>.bin</c> files and, optionally, <c>batches.meta.txt</c> (one class name per line).</param>
    /// <param name="train"><see langword="true"/> for the five training batches, <see langword="false"/> for the test batch.</param>
    /// <param name="limit">Keeps only the first <paramref name="limit"/> images, or <see langword="null"/> for all.</param>
    /// <returns>The data set: 3 × 32 × 32 images, channel-major.</returns>
    /// <exception cref="FileNotFoundException">A batch file is missing; the message names it.</exception>
    /// <exception cref="InvalidDataException">A file is not a whole number of records, is truncated, holds a label of 10 or more,
    /// or <c>batches.meta.txt</c> names fewer than ten classes; the message names the file.</exception>
    public static ImageClassificationData Load(string directory, bool train, int? limit = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (limit is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "limit must be at least 1.");
        }

        string[] names = train ? ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"] : ["test_batch.bin"];
        var files = new List<(string Path, long Records)>(names.Length);
        long total = 0;
        foreach (var name in names)
        {
            var path = Path.Combine(directory, name);
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FileNotFoundException(
                    $"CIFAR-10 file '{name}' was not found in '{directory}'. Point to the extracted 'cifar-10-batches-bin' folder " +
                    "of the binary version (https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz).",
                    path);
            }

            if (info.Length % RecordSize != 0)
            {
                throw new InvalidDataException(
                    $"'{path}' is {info.Length:N0} bytes long, not a multiple of the {RecordSize:N0}-byte CIFAR-10 record; it is truncated or not a CIFAR-10 binary batch.");
            }

            files.Add((path, info.Length / RecordSize));
            total += info.Length / RecordSize;
        }

        var classNames = ReadClassNames(directory);
        var count = Math.Min(total, limit ?? int.MaxValue);
        if (count * ImageSize > Array.MaxLength)
        {
            throw new InvalidDataException($"'{directory}' holds {total:N0} CIFAR-10 images, more than can be loaded at once; pass a limit.");
        }

        var pixels = new byte[count * ImageSize];
        var labels = new byte[count];
        var loaded = 0;
        foreach (var (path, records) in files)
        {
            if (loaded == count)
            {
                break;
            }

            var take = (int)Math.Min(records, count - loaded);
            ReadRecords(path, take, pixels.AsSpan(loaded * ImageSize, take * ImageSize), labels.AsSpan(loaded, take));
            loaded += take;
        }

        return new ImageClassificationData(pixels, labels, Channels, Side, Side, classNames);
    }

    private static void ReadRecords(string path, int count, Span<byte> pixels, Span<byte> labels)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        for (var record = 0; record < count; record++)
        {
            try
            {
                stream.ReadExactly(labels.Slice(record, 1));
                stream.ReadExactly(pixels.Slice(record * ImageSize, ImageSize));
            }
            catch (EndOfStreamException ex)
            {
                throw new InvalidDataException($"'{path}' is truncated: it ended inside record {record:N0}.", ex);
            }

            if (labels[record] >= ClassNames.Count)
            {
                throw new InvalidDataException($"'{path}' holds label {labels[record]} in record {record:N0}; CIFAR-10 labels are 0 to 9.");
            }
        }
    }

    private static IReadOnlyList<string> ReadClassNames(string directory)
    {
        var path = Path.Combine(directory, MetaFileName);
        if (!File.Exists(path))
        {
            return ClassNames;
        }

        var names = File.ReadLines(path).Select(line => line.Trim()).Where(line => line.Length > 0).ToArray();
        if (names.Length < ClassNames.Count)
        {
            throw new InvalidDataException($"'{path}' names {names.Length} classes; CIFAR-10 needs {ClassNames.Count}, one per line.");
        }

        return names[..ClassNames.Count];
    }
}
