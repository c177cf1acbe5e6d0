using System.Text.Json;

namespace TrainInsight.Sqlite.Internal;

/// <summary>
/// The JSON columns of <c>proposal_revisions</c> and <c>assistant_analyses</c>, written like <see cref="FindingJson"/>'s:
/// enums by name, a double as <c>"value": number</c> or, for NaN, ±Infinity and -0.0, <c>"value_bits": integer</c>.
/// </summary>
/// <example>
/// <c>commands</c>: <c>[{"action":"SetLearningRate","value":0.001},{"action":"RestoreCheckpoint","path":"/ckpt/7.bin"}]</c>;
/// <c>previous_values</c>: <c>[{"name":"learning_rate","value":0.01}]</c>; <c>command_ids</c>: <c>["cmd_1"]</c>;
/// <c>outcome</c>: <c>{"metric":"train_loss","verdict":"Hurt","before":0.5,"after_bits":…,"expected":0.45,"change_bits":…,
/// "message":"…","before_count":20,"after_count":20,"from_step":100,"to_step":140}</c>.
/// </example>
internal static class ProposalJson
{
    public static string WriteCommands(IReadOnlyList<FixCommand> commands) => FindingJson.Write(commands, static (writer, command) =>
    {
        writer.WriteStartObject();
        writer.WriteString("action", command.Action.ToString());
        FindingJson.WriteCommandArguments(writer, command);
        writer.WriteEndObject();
    });

    public static string WriteStrings(IReadOnlyList<string> values) => FindingJson.Write(values, static (writer, value) => writer.WriteStringValue(value));

    public static string WriteValues(IReadOnlyDictionary<string, double> values) => FindingJson.Write([.. values], static (writer, item) =>
    {
        writer.WriteStartObject();
        writer.WriteString("name", item.Key);
        FindingJson.WriteDouble(writer, "value", item.Value);
        writer.WriteEndObject();
    });

    public static string WriteOutcome(ProposalOutcome outcome) => FindingJson.WriteJson(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("metric", outcome.Metric);
        writer.WriteString("verdict", outcome.Verdict.ToString());
        FindingJson.WriteDouble(writer, "before", outcome.Before);
        FindingJson.WriteDouble(writer, "after", outcome.After);
        FindingJson.WriteDouble(writer, "expected", outcome.Expected);
        FindingJson.WriteDouble(writer, "change", outcome.Change);
        writer.WriteString("message", outcome.Message);
        writer.WriteNumber("before_count", outcome.BeforeCount);
        writer.WriteNumber("after_count", outcome.AfterCount);
        writer.WriteNumber("from_step", outcome.FromStep);
        writer.WriteNumber("to_step", outcome.ToStep);
        writer.WriteEndObject();
    });

    /// <exception cref="JsonException">The column is not what <see cref="WriteCommands"/> writes.</exception>
    public static List<FixCommand> ReadCommands(string json) => ReadArray(json, FindingJson.ReadCommand);

    /// <exception cref="JsonException">The column is not what <see cref="WriteStrings"/> writes.</exception>
    public static List<string> ReadStrings(string json) => ReadArray(json, static item => item.GetString() ?? throw new JsonException("an id is null."));

    /// <exception cref="JsonException">The column is not what <see cref="WriteValues"/> writes.</exception>
    public static Dictionary<string, double> ReadValues(string json)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (name, value) in ReadArray(json, static item => (
            item.GetProperty("name").GetString()!,
            FindingJson.ReadDouble(item, "value") ?? throw new JsonException("a previous value has no value."))))
        {
            result[name] = value;
        }

        return result;
    }

    /// <exception cref="JsonException">The column is not what <see cref="WriteOutcome"/> writes.</exception>
    public static ProposalOutcome ReadOutcome(string json) => Parse(json, static o => new ProposalOutcome(
        o.GetProperty("metric").GetString()!,
        FindingJson.ParseName<ProposalVerdict>(o.GetProperty("verdict").GetString()),
        Required(o, "before"),
        Required(o, "after"),
        Required(o, "expected"),
        Required(o, "change"),
        o.GetProperty("message").GetString()!)
    {
        BeforeCount = o.GetProperty("before_count").GetInt32(),
        AfterCount = o.GetProperty("after_count").GetInt32(),
        FromStep = o.GetProperty("from_step").GetInt64(),
        ToStep = o.GetProperty("to_step").GetInt64(),
    });

    private static double Required(JsonElement item, string name) =>
        FindingJson.ReadDouble(item, name) ?? throw new JsonException($"the outcome has no {name}.");

    private static List<T> ReadArray<T>(string json, Func<JsonElement, T> readItem) => Parse(json, root =>
    {
        var result = new List<T>(root.GetArrayLength());
        foreach (var item in root.EnumerateArray())
        {
            result.Add(readItem(item));
        }

        return result;
    });

    /// <summary>Parses <paramref name="json"/>; every way a column can differ from what this store writes becomes a <see cref="JsonException"/>.</summary>
    private static T Parse<T>(string json, Func<JsonElement, T> read)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return read(document.RootElement);
        }
        catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new JsonException(ex.Message, ex);
        }
    }
}
