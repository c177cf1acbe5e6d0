using System.Buffers;
using System.Text.Json;

namespace TrainInsight.Streaming.WebSockets;

/// <summary>The server's replies to client messages (docs/protocol.md, "WebSocket").</summary>
internal static class ClientReplies
{
    public static byte[] Pong(string? id, long lastOffset, long sentOffset) => Write(writer =>
    {
        writer.WriteString("message_type", "pong");
        if (id is not null)
        {
            writer.WriteString("id", id);
        }

        writer.WriteNumber("timestamp", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0);
        writer.WriteNumber("last_offset", lastOffset);
        writer.WriteNumber("sent_offset", sentOffset);
    });

    public static byte[] Subscribed(ConnectionFilter filter) => Write(writer =>
    {
        writer.WriteString("message_type", "subscribed");
        WriteSet(writer, "runs", filter.Runs);
        WriteSet(writer, "metrics", filter.Metrics);
    });

    public static byte[] Error(string code, string detail) => Write(writer =>
    {
        writer.WriteString("message_type", "error");
        writer.WriteString("error", code);
        writer.WriteString("detail", detail);
    });

    private static void WriteSet(Utf8JsonWriter writer, string name, HashSet<string>? set)
    {
        writer.WriteStartArray(name);
        if (set is null)
        {
            writer.WriteStringValue(ConnectionFilter.All);
        }
        else
        {
            foreach (var item in set.Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(item);
            }
        }

        writer.WriteEndArray();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
