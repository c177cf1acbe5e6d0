// Shared test source: writes TensorBoard event files by hand from the documented format (TFRecord framing with masked
// CRC32C; Event/Summary protobuf encoded field by field), independently of the reader under test.
using System.Buffers.Binary;
using System.Text;

namespace TrainInsight.Tests.Shared;

internal sealed class TfEventsWriter : IDisposable
{
    private static readonly uint[] s_table = BuildTable();
    private readonly FileStream _stream;

    /// <summary>Creates (or appends to) an event file; writes the file_version record first when <paramref name="fileVersion"/>.</summary>
    public TfEventsWriter(string path, bool fileVersion = true, double wallTime = 1_700_000_000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        if (fileVersion)
        {
            WriteRecord(Event(wallTime, step: null, body: Field(3, Encoding.UTF8.GetBytes("brain.Event:2"))));
        }
    }

    /// <summary>Appends one event with <c>simple_value</c> scalars (step 0 is left off the wire, as writers do).</summary>
    public void Scalars(long step, double wallTime, params (string Tag, float Value)[] values)
    {
        var summary = new List<byte>();
        foreach (var (tag, value) in values)
        {
            var v = new List<byte>();
            v.AddRange(Field(1, Encoding.UTF8.GetBytes(tag)));
            v.Add(0x15); // field 2, fixed32: simple_value
            var bits = new byte[4];
            BinaryPrimitives.WriteSingleLittleEndian(bits, value);
            v.AddRange(bits);
            summary.AddRange(Field(1, [.. v]));
        }

        WriteRecord(Event(wallTime, step == 0 ? null : step, Field(5, [.. summary])));
    }

    /// <summary>Appends a framed record and flushes it to the file.</summary>
    public void WriteRecord(byte[] data)
    {
        _stream.Write(Frame(data));
        _stream.Flush();
    }

    /// <summary>Appends raw bytes (a partial record, say) and flushes them.</summary>
    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _stream.Flush();
    }

    public void Dispose() => _stream.Dispose();

    /// <summary>u64 length, masked CRC32C of the length, data, masked CRC32C of the data.</summary>
    public static byte[] Frame(byte[] data)
    {
        var record = new byte[12 + data.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(record, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(8), MaskedCrc(record.AsSpan(0, 8)));
        data.CopyTo(record, 12);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(12 + data.Length), MaskedCrc(data));
        return record;
    }

    public static byte[] Event(double wallTime, long? step, byte[] body)
    {
        var e = new List<byte> { 0x09 }; // field 1, fixed64: wall_time
        var bits = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(bits, wallTime);
        e.AddRange(bits);
        if (step is { } s)
        {
            e.Add(0x10); // field 2, varint: step
            e.AddRange(Varint((ulong)s));
        }

        e.AddRange(body);
        return [.. e];
    }

    /// <summary>A length-delimited field.</summary>
    public static byte[] Field(int number, byte[] payload) => [.. Varint((ulong)((number << 3) | 2)), .. Varint((ulong)payload.Length), .. payload];

    public static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return [.. bytes];
    }

    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0x82F63B78u ^ (c >> 1) : c >> 1;
            }

            table[i] = c;
        }

        return table;
    }
}
