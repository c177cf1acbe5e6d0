using System.Buffers;
using System.Buffers.Binary;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// Reads TFRecord frames from a stream that may still be growing: <c>uint64 length</c>, <c>uint32 masked CRC-32C of
/// the length bytes</c>, <c>data</c>, <c>uint32 masked CRC-32C of the data</c> (all little-endian).
/// </summary>
/// <remarks>
/// <para>
/// A frame whose length CRC does not match (or whose length exceeds <see cref="MaxRecordLength"/>) means the framing
/// is lost: it is counted once in <see cref="CorruptRecords"/> and the scanner moves forward one byte at a time until a
/// 12-byte header whose length CRC matches and whose length is acceptable; the skipped bytes are consumed. A frame
/// whose data CRC does not match is counted and skipped as a whole (its length was verified).
/// </para>
/// <para>
/// An incomplete trailing frame (fewer than 12 header bytes, or data and data CRC not all present yet) is left
/// unconsumed: <see cref="TryReadRecord"/> reports that it needs more bytes, and a later call, after the file grew,
/// reads it. Memory grows only with bytes actually present in the stream: a declared length is trusted for sizing the
/// buffer only after its CRC matched and the stream is long enough to hold the whole frame.
/// </para>
/// <para>Not thread-safe.</para>
/// </remarks>
internal sealed class TfRecordScanner : IDisposable
{
    /// <summary>The largest record accepted: 256 MiB. Longer declared lengths are treated as corrupt framing.</summary>
    public const int MaxRecordLength = 256 * 1024 * 1024;

    public const int HeaderLength = 12;
    public const int FooterLength = 4;

    private const int InitialBufferLength = 64 * 1024;

    /// <summary>A buffer grown beyond this for a large record goes back to the pool once it is empty.</summary>
    private const int RetainedBufferLength = 4 * 1024 * 1024;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;           // first unconsumed byte in _buffer
    private int _end;             // end of the valid bytes in _buffer
    private long _position;       // stream offset of _buffer[_start]
    private bool _resynchronizing;

    public TfRecordScanner(Stream stream)
    {
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferLength);
    }

    /// <summary>Gets the stream offset up to which everything was consumed (records, corrupt records, skipped bytes).</summary>
    public long Position => _position;

    /// <summary>Gets how many complete frames with valid CRCs were read.</summary>
    public long RecordsRead { get; private set; }

    /// <summary>Gets how many frames were skipped because a CRC did not match (a lost framing counts once).</summary>
    public long CorruptRecords { get; private set; }

    /// <summary>Gets a value indicating whether the last <see cref="TryReadRecord"/> stopped at an incomplete trailing frame.</summary>
    public bool HasPartialRecord { get; private set; }

    /// <summary>
    /// Reads the next complete frame with valid CRCs, skipping corrupt ones. The payload stays valid until the next call.
    /// </summary>
    /// <returns>False when no complete frame is available now.</returns>
    public bool TryReadRecord(out ReadOnlySpan<byte> payload)
    {
        ObjectDisposedException.ThrowIf(_buffer.Length == 0, this);
        payload = default;
        HasPartialRecord = false;
        if (_start == _end && _buffer.Length > RetainedBufferLength)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferLength);
        }

        while (true)
        {
            if (_resynchronizing && !TryResynchronize())
            {
                return false;
            }

            var available = Fill(HeaderLength);
            if (available < HeaderLength)
            {
                HasPartialRecord = available > 0;
                return false;
            }

            if (!TryReadHeader(_buffer.AsSpan(_start, HeaderLength), out var length))
            {
                CorruptRecords++;
                _resynchronizing = true;
                Consume(1);
                continue;
            }

            var frameLength = HeaderLength + length + FooterLength;
            if (Fill(frameLength) < frameLength)
            {
                HasPartialRecord = true;
                return false;
            }

            var data = _buffer.AsSpan(_start + HeaderLength, length);
            var expected = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + HeaderLength + length, FooterLength));
            if (Crc32C.ComputeMasked(data) != expected)
            {
                CorruptRecords++;
                Consume(frameLength);
                continue;
            }

            RecordsRead++;
            payload = data;
            Consume(frameLength);   // the bytes stay in the buffer until the next call
            return true;
        }
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return;
        }

        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _start = _end = 0;
    }

    /// <summary>Checks a 12-byte header: length CRC and the length limit.</summary>
    private static bool TryReadHeader(ReadOnlySpan<byte> header, out int length)
    {
        var declared = BinaryPrimitives.ReadUInt64LittleEndian(header);
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
        if (declared > MaxRecordLength || Crc32C.ComputeMasked(header[..8]) != crc)
        {
            length = 0;
            return false;
        }

        length = (int)declared;
        return true;
    }

    /// <summary>Moves forward byte by byte to the next acceptable header; false when more bytes are needed first.</summary>
    private bool TryResynchronize()
    {
        while (true)
        {
            var available = Fill(HeaderLength);
            if (available < HeaderLength)
            {
                HasPartialRecord = available > 0;
                return false;
            }

            // Scan every candidate position whose 12 bytes are already buffered, then refill.
            var span = _buffer.AsSpan(_start, available);
            var last = available - HeaderLength;
            for (var i = 0; i <= last; i++)
            {
                if (TryReadHeader(span.Slice(i, HeaderLength), out _))
                {
                    Consume(i);
                    _resynchronizing = false;
                    return true;
                }
            }

            Consume(last + 1);
        }
    }

    private void Consume(int count)
    {
        _start += count;
        _position += count;
        if (_start == _end)
        {
            _start = _end = 0;
        }
    }

    /// <summary>
    /// Makes at least <paramref name="needed"/> unconsumed bytes available when the stream has them.
    /// </summary>
    /// <returns>How many unconsumed bytes are buffered (fewer than needed when the stream has no more now).</returns>
    private int Fill(int needed)
    {
        var available = _end - _start;
        if (available >= needed)
        {
            return available;
        }

        if (needed > _buffer.Length)
        {
            // Grow only for bytes the stream really holds: a declared length alone never sizes the buffer.
            if (_stream.Length - _position < needed)
            {
                return available;
            }

            var larger = ArrayPool<byte>.Shared.Rent(needed);
            _buffer.AsSpan(_start, available).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
            _start = 0;
            _end = available;
        }
        else if (_buffer.Length - _start < needed)
        {
            _buffer.AsSpan(_start, available).CopyTo(_buffer);
            _start = 0;
            _end = available;
        }

        while (_end - _start < needed)
        {
            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read <= 0)
            {
                break;
            }

            _end += read;
        }

        return _end - _start;
    }
}
