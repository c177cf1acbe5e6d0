namespace TrainInsight.TensorBoard.Tests.Infrastructure;

/// <summary>
/// A read-only stream over a byte array of which only a prefix is visible; <see cref="Reveal"/> shows more, like a
/// file a writer appends to.
/// </summary>
internal sealed class GrowingStream : Stream
{
    private readonly byte[] _data;
    private int _visible;
    private int _position;

    public GrowingStream(byte[] data, int visible)
    {
        _data = data;
        _visible = visible;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _visible;

    public override long Position
    {
        get => _position;
        set => _position = (int)value;
    }

    public void Reveal(int visible) => _visible = Math.Max(_visible, Math.Min(visible, _data.Length));

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var count = Math.Max(0, Math.Min(buffer.Length, _visible - _position));
        _data.AsSpan(_position, count).CopyTo(buffer);
        _position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
