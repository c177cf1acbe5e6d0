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
    private byte[]? _webSocket;
    private string? _offsetText;

    private EncodedEvent(TrainInsightEvent item) => _item = item;

    public string EventType => WireFormat.EventType(_item);

    public long Offset => _item.Offset;

    public string OffsetText => _offsetText ??= _item.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public byte[] Sse => _sse ??= WireFormat.SerializeSse(_item);

    public byte[] WebSocket => _webSocket ??= WireFormat.SerializeWebSocket(_item);

    public static EncodedEvent For(TrainInsightEvent item) => s_cache.GetValue(item, static i => new EncodedEvent(i));
}
