using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// The <c>evidence</c> and <c>fixes</c> columns of <c>finding_revisions</c> and <c>findings</c>: JSON arrays, enums by
/// name like every other column. A double is kept exactly the way <see cref="StoredValues"/> keeps it in two columns:
/// <c>"value": number</c> for every finite value but -0.0, otherwise <c>"value_bits": integer</c> (its 64 bits), so NaN
/// payloads, infinities and -0.0 round-trip bit for bit (likewise <c>threshold</c>/<c>threshold_bits</c>).
/// </summary>
/// <example>
/// <c>[{"metric":"train_loss","value_bits":9221120237041090560,"step":40,"description":"latest sample","threshold":10}]</c> and
/// <c>[{"id":"lower_learning_rate","kind":"LiveAction","title":"…","rationale":"…","commands":[{"action":"SetLearningRate","value":0.0001}]}]</c>.
/// </example>
internal static class FindingJson
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string WriteEvidence(IReadOnlyList<FindingEvidence> evidence) => Write(evidence, static (writer, item) =>
    {
        writer.WriteStartObject();
        writer.WriteString("metric", item.Metric);
        WriteDouble(writer, "value", item.Value);
        writer.WriteNumber("step", item.Step);
        writer.WriteString("description", item.Description);
        if (item.Threshold is { } threshold)
        {
            WriteDouble(writer, "threshold", threshold);
        }

        writer.WriteEndObject();
    });

    public static string WriteFixes(IReadOnlyList<SuggestedFix> fixes) => Write(fixes, static (writer, fix) =>
    {
        writer.WriteStartObject();
        writer.WriteString("id", fix.Id);
        writer.WriteString("kind", fix.Kind.ToString());
        writer.WriteString("title", fix.Title);
        writer.WriteString("rationale", fix.Rationale);
        writer.WriteStartArray("commands");
        foreach (var command in fix.Commands)
        {
            writer.WriteStartObject();
            writer.WriteString("action", command.Action.ToString());
            WriteCommandArguments(writer, command);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    /// <summary>Writes a command's <c>value</c> (or <c>value_bits</c>) and <c>path</c>, each only when it has one.</summary>
    public static void WriteCommandArguments(Utf8JsonWriter writer, FixCommand command)
    {
        if (command.Value is { } value)
        {
            WriteDouble(writer, "value", value);
        }

        if (command.Path is { } path)
        {
            writer.WriteString("path", path);
        }
    }

    /// <summary>Reads a command written as <c>{"action": name}</c> plus <see cref="WriteCommandArguments"/>.</summary>
    public static FixCommand ReadCommand(JsonElement command) =>
        new(ParseName<ControlAction>(command.GetProperty("action").GetString()), ReadDouble(command, "value"))
        {
            Path = command.TryGetProperty("path", out var path) ? path.GetString() : null,
        };

    /// <exception cref="InvalidDataException">The column holds something this store never writes.</exception>
    public static IReadOnlyList<FindingEvidence> ReadEvidence(string findingId, string json) => Read(findingId, "evidence", json, static item => new FindingEvidence(
        item.GetProperty("metric").GetString()!,
        ReadDouble(item, "value") ?? throw new JsonException("an evidence item has no value."),
        item.GetProperty("step").GetInt64(),
        item.GetProperty("description").GetString()!,
        ReadDouble(item, "threshold")));

    /// <exception cref="InvalidDataException">The column holds something this store never writes.</exception>
    public static IReadOnlyList<SuggestedFix> ReadFixes(string findingId, string json) => Read(findingId, "fixes", json, static item =>
    {
        var commands = new List<FixCommand>();
        foreach (var command in item.GetProperty("commands").EnumerateArray())
        {
            commands.Add(ReadCommand(command));
        }

        return new SuggestedFix(
            item.GetProperty("id").GetString()!,
            ParseName<FixKind>(item.GetProperty("kind").GetString()),
            item.GetProperty("title").GetString()!,
            item.GetProperty("rationale").GetString()!,
            commands);
    });

    /// <summary>Reads an enum stored by its name (exactly as <see cref="Enum.ToString()"/> wrote it).</summary>
    /// <exception cref="JsonException">It is not the name of a defined value.</exception>
    public static T ParseName<T>(string? name)
        where T : struct, Enum =>
        name is not null && Enum.TryParse<T>(name, ignoreCase: false, out var value) && Enum.IsDefined(value) && value.ToString() == name
            ? value
            : throw new JsonException($"'{name}' is not a {typeof(T).Name}.");

    /// <summary>Writes a JSON array with one item per element.</summary>
    public static string Write<T>(IReadOnlyList<T> items, Action<Utf8JsonWriter, T> writeItem) => WriteJson(writer =>
    {
        writer.WriteStartArray();
        foreach (var item in items)
        {
            writeItem(writer, item);
        }

        writer.WriteEndArray();
    });

    /// <summary>Writes one JSON value (non-ASCII text as it is, not escaped) and returns it as text.</summary>
    public static string WriteJson(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, s_writerOptions))
        {
            write(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static List<T> Read<T>(string findingId, string column, string json, Func<JsonElement, T> readItem)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var result = new List<T>(document.RootElement.GetArrayLength());
            foreach (var item in document.RootElement.EnumerateArray())
            {
                result.Add(readItem(item));
            }

            return result;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InvalidDataException($"The stored {column} of finding '{findingId}' is not what this store writes: {ex.Message}", ex);
        }
    }

    /// <summary>Writes <c>"name": number</c>, or <c>"name_bits": integer</c> for NaN, ±Infinity and -0.0.</summary>
    public static void WriteDouble(Utf8JsonWriter writer, string name, double value)
    {
        if (StoredValues.NeedsBits(value))
        {
            writer.WriteNumber(name + "_bits", BitConverter.DoubleToInt64Bits(value));
        }
        else
        {
            writer.WriteNumber(name, value);
        }
    }

    /// <summary>Reads what <see cref="WriteDouble"/> wrote, or <see langword="null"/> when neither property is there.</summary>
    public static double? ReadDouble(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) ? value.GetDouble()
        : item.TryGetProperty(name + "_bits", out var bits) ? BitConverter.Int64BitsToDouble(bits.GetInt64())
        : null;
}
