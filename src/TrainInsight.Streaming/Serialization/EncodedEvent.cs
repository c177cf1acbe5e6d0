using System.Runtime.CompilerServices;

namespace TrainInsight.Streaming.Serialization;

/// <summary>
/// The wire bytes of one event, encoded once per format and shared by every SSE/WebSocket client and REST call.
/// </summary>
internal sealed class EncodedEvent
{
    private static readonly ConditionalWeakTable<TrainInsightEvent, EncodedEvent> s_cache = [];

    private readonly TrainInsightEvent _item;
    private byte[]? _sse;
    private byte[]? _sseFrame;
    private byte[]? _webSocket;
    private string? _offsetText;

    private EncodedEvent(TrainInsightEvent item) => _item = item;

    public string EventType => WireFormat.EventType(_item);

    public long Offset => _item.Offset;

    public string OffsetText => _offsetText ??= _item.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public byte[] Sse => _sse ??= WireFormat.SerializeSse(_item);

    public byte[] WebSocket => _webSocket ??= WireFormat.SerializeWebSocket(_item);

    /// <summary>
    /// The whole SSE frame, "event: …\ndata: …\nid: …\n\n" (no id line for a gap), exactly as SseFormatter frames it: built
    /// once and copied into every client's response, so a client costs a memory copy, not a formatting pass.
    /// </summary>
    public byte[] SseFrame => _sseFrame ??= BuildSseFrame();

    private byte[] BuildSseFrame()
    {
        var type = System.Text.Encoding.UTF8.GetBytes(EventType);
        var id = _item is GapEvent ? [] : System.Text.Encoding.UTF8.GetBytes(OffsetText);
        var data = Sse;
        var frame = new byte[7 + type.Length + 1 + 6 + data.Length + 1 + (id.Length == 0 ? 0 : 4 + id.Length + 1) + 1];
        var span = frame.AsSpan();
        var at = Append(span, 0, "event: "u8);
        at = Append(span, at, type);
        at = Append(span, at, "\ndata: "u8);
        at = Append(span, at, data);
        at = Append(span, at, "\n"u8);
        if (id.Length > 0)
        {
            at = Append(span, at, "id: "u8);
            at = Append(span, at, id);
            at = Append(span, at, "\n"u8);
        }

        Append(span, at, "\n"u8);
        return frame;
    }

    private static int Append(Span<byte> destination, int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(destination[at..]);
        return at + bytes.Length;
    }

    public static EncodedEvent For(TrainInsightEvent item) => s_cache.GetValue(item, static i => new EncodedEvent(i));
}
