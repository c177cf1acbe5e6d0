using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>Writes a tool's JSON result without reflection: names in snake_case, times in ISO 8601, non-finite numbers as null.</summary>
internal static class JsonText
{
    // Letters of every script stay readable (a run named in Chinese); HTML-sensitive characters are still escaped.
    private static readonly JsonWriterOptions s_options = new() { Encoder = JavaScriptEncoder.Create(UnicodeRanges.All) };

    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1_024);
        using (var writer = new Utf8JsonWriter(buffer, s_options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Number(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } v && double.IsFinite(v))
        {
            writer.WriteNumber(name, v);
        }
        else if (value is not null)
        {
            writer.WriteNull(name);
        }
    }

    public static void Time(Utf8JsonWriter writer, string name, DateTimeOffset value) => writer.WriteString(name, value.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Writes a string property only when it has a value.</summary>
    public static void OptionalString(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }
}
