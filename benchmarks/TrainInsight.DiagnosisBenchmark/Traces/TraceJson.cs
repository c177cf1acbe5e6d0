using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TrainInsight.DiagnosisBenchmark.Traces;

/// <summary>The JSON conventions of trace files: snake-case names, and NaN/±Infinity as the strings "NaN", "Infinity", "-Infinity".</summary>
internal static class TraceJson
{
    /// <summary>Options for the header: snake-case names, named floating-point literals, one line.</summary>
    public static JsonSerializerOptions HeaderOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
        WriteIndented = false,
    };

    /// <summary>An enum value's snake-case name (<c>ControlApplied</c> → <c>control_applied</c>).</summary>
    public static string Name<TEnum>(TEnum value)
        where TEnum : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    /// <summary>Parses a snake-case enum name written by <see cref="Name{TEnum}"/>.</summary>
    public static TEnum Parse<TEnum>(string name)
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Name(value), name, StringComparison.Ordinal))
            {
                return value;
            }
        }

        throw new InvalidDataException($"Unknown {typeof(TEnum).Name} '{name}'.");
    }

    /// <summary>Writes a number, or "NaN"/"Infinity"/"-Infinity" as a string.</summary>
    public static void WriteNumber(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, NonFinite(value));
        }
    }

    /// <summary>Reads a number written by <see cref="WriteNumber"/>.</summary>
    public static double ReadNumber(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            var text => double.Parse(text!, NumberStyles.Float, CultureInfo.InvariantCulture),
        },
        _ => throw new InvalidDataException($"Expected a number, found {element.ValueKind}."),
    };

    /// <summary>Writes a name → number object.</summary>
    public static void WriteValues(Utf8JsonWriter writer, string name, IReadOnlyDictionary<string, double> values)
    {
        writer.WriteStartObject(name);
        foreach (var (key, value) in values)
        {
            WriteNumber(writer, key, value);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a name → number object.</summary>
    public static Dictionary<string, double> ReadValues(JsonElement element)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                values[property.Name] = ReadNumber(property.Value);
            }
        }

        return values;
    }

    private static string NonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}
