using System.Buffers.Binary;
using Tensorboard;

namespace TrainInsight.Torch.Tests;

/// <summary>
/// Reads a TensorBoard events file as TFRecords, checking every record's framing and both of its CRCs with its own
/// CRC-32C, and decodes each record with TorchSharp's generated protobuf <see cref="Event"/>.
/// </summary>
internal static class TensorBoardEventsFile
{
    private static readonly uint[] s_table = CreateTable();

    /// <summary>A scalar as written: its tag, step, value and walltime.</summary>
    public sealed record Scalar(string Tag, long Step, float Value, double WallTime);

    /// <summary>Reads every record of <paramref name="path"/>: u64 length, masked CRC-32C of the length, data, masked CRC-32C of the data.</summary>
    public static IReadOnlyList<Event> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var events = new List<Event>();
        var position = 0;
        while (position < bytes.Length)
        {
            (bytes.Length - position).Should().BeGreaterThanOrEqualTo(12, $"a record header is 12 bytes (at byte {position})");
            var header = bytes.AsSpan(position, 8);
            var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 8, 4))
                .Should().Be(MaskedCrc32C(header), $"the length's CRC must match (record at byte {position})");
            ((ulong)(bytes.Length - position - 12)).Should().BeGreaterThanOrEqualTo(length + 4, $"the record at byte {position} must be complete");
            var data = bytes.AsSpan(position + 12, (int)length);
            BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(position + 12 + (int)length, 4))
                .Should().Be(MaskedCrc32C(data), $"the data's CRC must match (record at byte {position})");
            // TorchSharp's generated code predates span-based parsing: ParseFrom(ReadOnlySpan) throws, the byte[] overload works.
            events.Add(Event.Parser.ParseFrom(data.ToArray()));
            position += 12 + (int)length + 4;
        }

        return events;
    }

    /// <summary>The simple-value scalars of <paramref name="events"/>, in file order.</summary>
    public static IReadOnlyList<Scalar> Scalars(IEnumerable<Event> events) =>
        [.. events.Where(e => e.Summary is not null).SelectMany(e => e.Summary.Value.Select(v => new Scalar(v.Tag, e.Step, v.SimpleValue, e.WallTime)))];

    /// <summary>CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bit by bit through a table.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>The TFRecord mask: rotate right by 15 bits and add 0xa282ead8.</summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ 0x82F63B78u : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}
