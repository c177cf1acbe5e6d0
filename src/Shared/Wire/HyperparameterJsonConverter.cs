// Shared source: compiled into the packages that write or read hyperparameters as JSON (Streaming, HttpIngest,
// Sqlite). No public API.
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainInsight.Wire;

/// <summary>
/// A run's hyperparameters as a JSON object of names to numbers, strings and booleans:
/// <c>{"optimizer":"adam","learning_rate":0.001,"augment":true}</c>. Reading checks what
/// <see cref="RunDescriptor.Hyperparameters"/> accepts and says exactly what is wrong.
/// </summary>
internal sealed class HyperparameterJsonConverter : JsonConverter<IReadOnlyDictionary<string, HyperparameterValue>>
{
    public override IReadOnlyDictionary<string, HyperparameterValue>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("hyperparameters must be an object of names to numbers, strings or booleans.");
        }

        var result = new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString()!;
            if (name.Length is 0 or > RunDescriptor.MaxHyperparameterNameLength)
            {
                throw new JsonException($"hyperparameter names must have 1 to {RunDescriptor.MaxHyperparameterNameLength:N0} characters; one has {name.Length:N0}.");
            }

            if (result.Count == RunDescriptor.MaxHyperparameters)
            {
                throw new JsonException($"A run may carry at most {RunDescriptor.MaxHyperparameters:N0} hyperparameters.");
            }

            reader.Read();
            result[name] = reader.TokenType switch
            {
                JsonTokenType.Number when reader.TryGetDouble(out var number) && double.IsFinite(number) => HyperparameterValue.FromNumber(number),
                JsonTokenType.String when reader.GetString() is { Length: <= HyperparameterValue.MaxTextLength } text => HyperparameterValue.FromText(text),
                JsonTokenType.String => throw new JsonException($"hyperparameter '{name}' has more than {HyperparameterValue.MaxTextLength:N0} characters."),
                JsonTokenType.True => HyperparameterValue.FromBoolean(true),
                JsonTokenType.False => HyperparameterValue.FromBoolean(false),
                _ => throw new JsonException($"hyperparameter '{name}' must be a finite number, a string or a boolean, not {Describe(reader.TokenType)}."),
            };
        }

        return result;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, HyperparameterValue> value, JsonSerializerOptions options) =>
        WriteObject(writer, value);

    /// <summary>Writes the hyperparameters as one JSON object.</summary>
    public static void WriteObject(Utf8JsonWriter writer, IReadOnlyDictionary<string, HyperparameterValue> values)
    {
        writer.WriteStartObject();
        foreach (var (name, value) in values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            switch (value.Kind)
            {
                case HyperparameterKind.Number:
                    writer.WriteNumber(name, value.Number);
                    break;
                case HyperparameterKind.Text:
                    writer.WriteString(name, value.Text);
                    break;
                default:
                    writer.WriteBoolean(name, value.Boolean);
                    break;
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>The hyperparameters as a JSON text (for a database column).</summary>
    public static string ToJson(IReadOnlyDictionary<string, HyperparameterValue> values)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64 * Math.Max(1, values.Count));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteObject(writer, values);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads a JSON text that <see cref="ToJson"/> wrote.</summary>
    /// <exception cref="JsonException">The text is not such an object.</exception>
    public static IReadOnlyDictionary<string, HyperparameterValue> FromJson(string json)
    {
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(json));
        reader.Read();
        return new HyperparameterJsonConverter().Read(ref reader, typeof(IReadOnlyDictionary<string, HyperparameterValue>), JsonSerializerOptions.Default)
            ?? new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal);
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Null => "null",
        JsonTokenType.Number => "a number beyond the range of a double",
        _ => token.ToString(),
    };
}
