using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// A minimal forward reader of the protobuf wire format over a span: tags, varints, fixed-size and length-delimited
/// fields, and skipping. Every read is bounds-checked; a failed read leaves the reader unusable (callers give up).
/// </summary>
internal ref struct WireReader
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLengthDelimited = 2;
    public const int WireStartGroup = 3;
    public const int WireEndGroup = 4;
    public const int WireFixed32 = 5;

    private const int MaxGroupDepth = 100;

    private readonly ReadOnlySpan<byte> _data;
    private int _position;

    public WireReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _position = 0;
    }

    public readonly bool IsAtEnd => _position >= _data.Length;

    /// <summary>Reads a field's tag; false when it is malformed or names field 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadTag(out int fieldNumber, out int wireType)
    {
        fieldNumber = 0;
        wireType = 0;
        if (!TryReadVarint(out var tag) || tag > uint.MaxValue || (tag >> 3) == 0)
        {
            return false;
        }

        fieldNumber = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadVarint(out ulong value)
    {
        if (_position < _data.Length && _data[_position] < 0x80)
        {
            value = _data[_position++];
            return true;
        }

        return TryReadMultiByteVarint(out value);
    }

    private bool TryReadMultiByteVarint(out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (_position >= _data.Length)
            {
                return false;
            }

            var b = _data[_position++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return true;
            }
        }

        return false;   // more than 10 bytes
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadFixed64(out ulong value)
    {
        if (_data.Length - _position < 8)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt64LittleEndian(_data.Slice(_position, 8));
        _position += 8;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadFixed32(out uint value)
    {
        if (_data.Length - _position < 4)
        {
            value = 0;
            return false;
        }

        value = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryReadLengthDelimited(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadVarint(out var length) || length > (ulong)(_data.Length - _position))
        {
            return false;
        }

        value = _data.Slice(_position, (int)length);
        _position += (int)length;
        return true;
    }

    /// <summary>Skips the value of a field whose tag was just read.</summary>
    public bool TrySkip(int fieldNumber, int wireType) => TrySkip(fieldNumber, wireType, 0);

    private bool TrySkip(int fieldNumber, int wireType, int depth)
    {
        switch (wireType)
        {
            case WireVarint:
                return TryReadVarint(out _);
            case WireFixed64:
                return TryAdvance(8);
            case WireLengthDelimited:
                return TryReadLengthDelimited(out _);
            case WireFixed32:
                return TryAdvance(4);
            case WireStartGroup:
                if (depth >= MaxGroupDepth)
                {
                    return false;
                }

                while (TryReadTag(out var innerField, out var innerType))
                {
                    if (innerType == WireEndGroup)
                    {
                        return innerField == fieldNumber;
                    }

                    if (!TrySkip(innerField, innerType, depth + 1))
                    {
                        return false;
                    }
                }

                return false;
            default:
                return false;   // an end-group tag without its start, or wire types 6 and 7
        }
    }

    private bool TryAdvance(int count)
    {
        if (_data.Length - _position < count)
        {
            return false;
        }

        _position += count;
        return true;
    }
}
