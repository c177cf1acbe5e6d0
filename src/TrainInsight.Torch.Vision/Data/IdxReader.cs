using System.Buffers.Binary;
using System.IO.Compression;

namespace TrainInsight.Torch.Vision;

/// <summary>
/// Reads IDX files (the MNIST family's format: big-endian magic 0x0000TTRR, then RR big-endian int32 dimensions,
/// then the data), plain or gzip-compressed (detected from the content, not the name).
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an images file (unsigned bytes, 3 dimensions: count, rows, columns).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The images.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid IDX images file; the message names the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxImages ReadImages(string path)
    {
        var (dimensions, data) = Read(path, expectedRank: 3);
        return new IdxImages(dimensions[0], dimensions[1], dimensions[2], data);
    }

    /// <summary>Reads a labels file (unsigned bytes, 1 dimension).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The labels.</returns>
    /// <exception cref="InvalidDataException">The file is not a valid IDX labels file; the message names the file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadLabels(string path) => Read(path, expectedRank: 1).Data;

    private static (int[] Dimensions, byte[] Data) Read(string path, int expectedRank)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = File.OpenRead(path);
        using var stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        Span<byte> header = stackalloc byte[4];
        ReadExactly(stream, header, path, "the magic number");
        if (header[0] != 0 || header[1] != 0)
        {
            throw new InvalidDataException($"'{path}' is not an IDX file: bad magic number 0x{BinaryPrimitives.ReadUInt32BigEndian(header):X8}.");
        }

        if (header[2] != UnsignedByteType)
        {
            throw new InvalidDataException($"'{path}' holds IDX data type 0x{header[2]:X2}; only unsigned bytes (0x08) are supported.");
        }

        if (header[3] != expectedRank)
        {
            throw new InvalidDataException($"'{path}' has {header[3]} dimensions; expected {expectedRank} ({(expectedRank == 3 ? "images" : "labels")}).");
        }

        var dimensions = new int[expectedRank];
        long total = 1;
        for (var i = 0; i < expectedRank; i++)
        {
            ReadExactly(stream, header, path, $"dimension {i}");
            var size = BinaryPrimitives.ReadInt32BigEndian(header);
            if (size < 0 || (i > 0 && size == 0))
            {
                throw new InvalidDataException($"'{path}' declares an invalid size {size} for dimension {i}.");
            }

            dimensions[i] = size;
            total *= size;

            // Checked after every dimension: total stays below 2^31 before each multiplication, so it cannot overflow.
            if (total > Array.MaxLength)
            {
                throw new InvalidDataException($"'{path}' declares at least {total:N0} bytes of data, more than can be loaded.");
            }
        }

        var data = new byte[total];
        ReadExactly(stream, data, path, $"{total:N0} bytes of data");
        return (dimensions, data);
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        var read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string path, string what)
    {
        try
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var read = stream.Read(buffer[total..]);
                if (read == 0)
                {
                    throw new InvalidDataException($"'{path}' is truncated: it ended while reading {what} ({total:N0} of {buffer.Length:N0} bytes).");
                }

                total += read;
            }
        }
        catch (InvalidDataException ex) when (!ex.Message.StartsWith('\''))
        {
            // GZipStream's own corruption errors do not name the file.
            throw new InvalidDataException($"'{path}' is corrupt: {ex.Message}", ex);
        }
    }
}
