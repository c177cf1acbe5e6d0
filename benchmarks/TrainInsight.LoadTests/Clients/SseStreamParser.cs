using System.Globalization;
using System.Text;

namespace TrainInsight.LoadTests.Clients;

/// <summary>
/// Incremental parser for one raw HTTP/1.1 SSE response: status line and headers, chunked transfer encoding, then SSE
/// lines. It keeps only a small carry-over buffer for a line split across reads, so 10,000 of them stay cheap. For
/// each event it reports the <c>id</c> and the <c>publish_ticks</c> metric the load server puts in every event.
/// </summary>
internal sealed class SseStreamParser
{
    /// <summary>The longest header block or SSE line kept; the load server's lines are about 250 bytes.</summary>
    public const int MaxLineBytes = 1024;

    private static readonly byte[] s_publishTicks = "\"publish_ticks\":"u8.ToArray();

    private readonly byte[] _line = new byte[MaxLineBytes];
    private int _lineLength;
    private List<byte>? _headerBlock = []; // Dropped once the headers are parsed.
    private State _state = State.Headers;
    private int _chunkRemaining;
    private long _eventId = -1;
    private long _eventTicks = -1;

    private enum State
    {
        Headers,
        ChunkSize,
        ChunkData,
        ChunkDataEnd,
        Ended,
    }

    /// <summary>Gets whether the headers were 200 + chunked and the stream's first comment has arrived.</summary>
    public bool Opened { get; private set; }

    /// <summary>Gets why the stream cannot be parsed, or null.</summary>
    public string? Error { get; private set; }

    /// <summary>Gets whether the server ended the response (a zero-length chunk).</summary>
    public bool Ended => _state == State.Ended;

    /// <summary>Called for each complete event with its id and publish timestamp (-1 when absent).</summary>
    public Action<long, long>? EventReceived { get; set; }

    /// <summary>Feeds received bytes; returns false once the stream is unusable (see <see cref="Error"/>).</summary>
    public bool Feed(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty && Error is null && _state != State.Ended)
        {
            switch (_state)
            {
                case State.Headers:
                    data = ConsumeHeaders(data);
                    break;
                case State.ChunkSize:
                    data = ConsumeChunkSize(data);
                    break;
                case State.ChunkData:
                    var take = Math.Min(_chunkRemaining, data.Length);
                    ConsumeSse(data[..take]);
                    _chunkRemaining -= take;
                    data = data[take..];
                    if (_chunkRemaining == 0)
                    {
                        _state = State.ChunkDataEnd;
                    }

                    break;
                case State.ChunkDataEnd:
                    // The CRLF after each chunk's data; it belongs to the framing, not to the SSE stream.
                    var crlf = data.IndexOf((byte)'\n');
                    if (crlf < 0)
                    {
                        return true;
                    }

                    data = data[(crlf + 1)..];
                    _state = State.ChunkSize;
                    break;
            }
        }

        return Error is null;
    }

    private ReadOnlySpan<byte> ConsumeHeaders(ReadOnlySpan<byte> data)
    {
        // Header lines are accumulated until the blank line; only the status and Transfer-Encoding matter.
        while (TakeLine(ref data, out var line))
        {
            if (line.Length == 0)
            {
                var headers = Encoding.ASCII.GetString(_headerBlock!.ToArray());
                if (!headers.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) ||
                    !headers.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
                {
                    Error = "unexpected response: " + headers.Split('\r')[0];
                }

                _headerBlock = null;
                _state = State.ChunkSize;
                return data;
            }

            if (_headerBlock!.Count + line.Length > 4 * MaxLineBytes)
            {
                Error = "response headers too long";
                return data;
            }

            _headerBlock.AddRange(line);
            _headerBlock.AddRange("\r\n"u8);
        }

        return data;
    }

    private ReadOnlySpan<byte> ConsumeChunkSize(ReadOnlySpan<byte> data)
    {
        if (!TakeLine(ref data, out var line))
        {
            return data;
        }

        var end = line.IndexOf((byte)';'); // Chunk extensions are allowed and ignored.
        var hex = end < 0 ? line : line[..end];
        if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _chunkRemaining) || _chunkRemaining < 0)
        {
            Error = "bad chunk size";
            return data;
        }

        _state = _chunkRemaining == 0 ? State.Ended : State.ChunkData;
        return data;
    }

    private void ConsumeSse(ReadOnlySpan<byte> data)
    {
        while (TakeLine(ref data, out var line))
        {
            if (line.Length == 0)
            {
                if (_eventId >= 0 || _eventTicks >= 0)
                {
                    EventReceived?.Invoke(_eventId, _eventTicks);
                }

                _eventId = _eventTicks = -1;
            }
            else if (line[0] == (byte)':')
            {
                Opened = true; // The server's opening comment or a heartbeat.
            }
            else if (line.StartsWith("id:"u8))
            {
                _eventId = long.TryParse(line[3..].Trim((byte)' '), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : -1;
            }
            else if (line.StartsWith("data:"u8))
            {
                _eventTicks = ParsePublishTicks(line);
            }
        }
    }

    private static long ParsePublishTicks(ReadOnlySpan<byte> line)
    {
        var at = line.IndexOf(s_publishTicks);
        if (at < 0)
        {
            return -1;
        }

        var number = line[(at + s_publishTicks.Length)..];
        var end = number.IndexOfAny((byte)',', (byte)'}');
        // System.Text.Json may write a large double in exponent form, so parse it as a double, not as a long.
        return end > 0 && double.TryParse(number[..end], NumberStyles.Float, CultureInfo.InvariantCulture, out var ticks) ? (long)ticks : -1;
    }

    /// <summary>
    /// Takes one LF-terminated line (CR stripped) from <paramref name="data"/>. A line split across reads is kept in
    /// the carry-over buffer; the returned span then points into it and stays valid until the next call.
    /// </summary>
    private bool TakeLine(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> line)
    {
        var lf = data.IndexOf((byte)'\n');
        if (lf < 0)
        {
            if (_lineLength + data.Length > _line.Length)
            {
                Error = "line too long";
            }
            else
            {
                data.CopyTo(_line.AsSpan(_lineLength));
                _lineLength += data.Length;
            }

            data = default;
            line = default;
            return false;
        }

        if (_lineLength == 0)
        {
            line = data[..lf];
        }
        else
        {
            if (_lineLength + lf > _line.Length)
            {
                Error = "line too long";
                data = default;
                line = default;
                return false;
            }

            data[..lf].CopyTo(_line.AsSpan(_lineLength));
            line = _line.AsSpan(0, _lineLength + lf);
            _lineLength = 0;
        }

        data = data[(lf + 1)..];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        return true;
    }
}
