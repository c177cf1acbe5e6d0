using System.Buffers.Binary;
using System.IO.Compression;

namespace TrainInsight.Torch.Vision.Tests;

/// <summary>Writes IDX files (plain or gzip) byte by byte, valid or deliberately broken.</summary>
internal static class IdxFile
{
    /// <summary>The bytes of an IDX file: magic 0x0000TTRR, one big-endian int32 per dimension, then <paramref name="data"/>.</summary>
    public static byte[] Build(byte dataType, int[] dimensions, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + (4 * dimensions.Length) + data.Length];
        bytes[2] = dataType;
        bytes[3] = (byte)dimensions.Length;
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + (4 * i)), dimensions[i]);
        }

        data.CopyTo(bytes.AsSpan(4 + (4 * dimensions.Length)));
        return bytes;
    }

    public static byte[] Images(int count, int rows, int columns, ReadOnlySpan<byte> pixels) => Build(0x08, [count, rows, columns], pixels);

    public static byte[] Labels(ReadOnlySpan<byte> labels) => Build(0x08, [labels.Length], labels);

    public static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> (gzip-compressed when asked) and returns the path.</summary>
    public static string Write(string path, byte[] content, bool gzip = false)
    {
        File.WriteAllBytes(path, gzip ? Gzip(content) : content);
        return path;
    }

    /// <summary>Deterministic pixels: image i, pixel j holds (i * 31 + j * 7) mod 256.</summary>
    public static byte[] Pixels(int count, int rows, int columns)
    {
        var pixels = new byte[count * rows * columns];
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < rows * columns; j++)
            {
                pixels[(i * rows * columns) + j] = (byte)(((i * 31) + (j * 7)) % 256);
            }
        }

        return pixels;
    }
}
