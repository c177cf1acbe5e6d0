using System.Buffers.Binary;
using Google.Protobuf;
using TrainInsight.TensorBoard.Internal;
using TrainInsight.TensorBoard.Protos;

namespace TrainInsight.TensorBoard.Tests.Infrastructure;

/// <summary>
/// Writes event files from the documented format: TFRecord frames (little-endian uint64 length, masked CRC-32C of the
/// length, data, masked CRC-32C of the data) around serialized <c>Event</c> messages.
/// </summary>
internal sealed class EventFileBuilder
{
    private readonly MemoryStream _bytes = new();
    private readonly List<long> _frameOffsets = [];

    /// <summary>Gets the offset at which each frame written so far starts.</summary>
    public IReadOnlyList<long> FrameOffsets => _frameOffsets;

    public EventFileBuilder FileVersion(string version = "brain.Event:2", double wallTime = 1_700_000_000.5) =>
        Event(new Event { WallTime = wallTime, FileVersion = version });

    public EventFileBuilder Event(Event e) => Record(e.ToByteArray());

    /// <summary>A summary event with the given values.</summary>
    public EventFileBuilder Summary(long step, params Summary.Types.Value[] values)
    {
        var summary = new Summary();
        summary.Value.AddRange(values);
        return Event(new Event { WallTime = 1_700_000_000 + step, Step = step, Summary = summary });
    }

    /// <summary>One TFRecord frame around any payload.</summary>
    public EventFileBuilder Record(ReadOnlySpan<byte> payload)
    {
        _frameOffsets.Add(_bytes.Length);
        _bytes.Write(Frame(payload));
        return this;
    }

    /// <summary>Raw bytes, not framed.</summary>
    public EventFileBuilder Raw(ReadOnlySpan<byte> bytes)
    {
        _bytes.Write(bytes);
        return this;
    }

    public byte[] ToArray() => _bytes.ToArray();

    public string WriteTo(string path)
    {
        File.WriteAllBytes(path, ToArray());
        return path;
    }

    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[TfRecordScanner.HeaderLength + payload.Length + TfRecordScanner.FooterLength];
        BinaryPrimitives.WriteUInt64LittleEndian(frame, (ulong)payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(8), Crc32C.ComputeMasked(frame.AsSpan(0, 8)));
        payload.CopyTo(frame.AsSpan(TfRecordScanner.HeaderLength));
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(TfRecordScanner.HeaderLength + payload.Length), Crc32C.ComputeMasked(payload));
        return frame;
    }

    /// <summary>A 12-byte header declaring <paramref name="length"/>, with a valid length CRC.</summary>
    public static byte[] Header(ulong length)
    {
        var header = new byte[TfRecordScanner.HeaderLength];
        BinaryPrimitives.WriteUInt64LittleEndian(header, length);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Crc32C.ComputeMasked(header.AsSpan(0, 8)));
        return header;
    }

    // ----- summary values -----

    public static Summary.Types.Value SimpleValue(string tag, float value, string? plugin = null) =>
        WithPlugin(new Summary.Types.Value { Tag = tag, SimpleValue = value }, plugin);

    public static Summary.Types.Value TensorValue(string tag, TensorProto tensor, string? plugin) =>
        WithPlugin(new Summary.Types.Value { Tag = tag, Tensor = tensor }, plugin);

    public static Summary.Types.Value WithPlugin(Summary.Types.Value value, string? plugin, byte[]? content = null)
    {
        if (plugin is not null)
        {
            value.Metadata = new SummaryMetadata
            {
                PluginData = new SummaryMetadata.Types.PluginData { PluginName = plugin, Content = ByteString.CopyFrom(content ?? []) },
            };
        }

        return value;
    }

    public static TensorProto Tensor(DataType dtype, params long[] shape)
    {
        var tensor = new TensorProto { Dtype = dtype, TensorShape = new TensorShapeProto() };
        foreach (var size in shape)
        {
            tensor.TensorShape.Dim.Add(new TensorShapeProto.Types.Dim { Size = size });
        }

        return tensor;
    }

    public static TensorProto StringTensor(params byte[][] strings)
    {
        var tensor = Tensor(DataType.DtString, strings.Length);
        tensor.StringVal.AddRange(strings.Select(ByteString.CopyFrom));
        return tensor;
    }

    // ----- raw protobuf pieces, for unknown fields -----

    public static byte[] LengthDelimitedField(int fieldNumber, ReadOnlySpan<byte> value)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            output.WriteTag(fieldNumber, WireFormat.WireType.LengthDelimited);
            output.WriteBytes(ByteString.CopyFrom(value));
        }

        return stream.ToArray();
    }

    public static byte[] VarintField(int fieldNumber, ulong value)
    {
        using var stream = new MemoryStream();
        using (var output = new CodedOutputStream(stream, leaveOpen: true))
        {
            output.WriteTag(fieldNumber, WireFormat.WireType.Varint);
            output.WriteUInt64(value);
        }

        return stream.ToArray();
    }
}
