using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// Reads the JSON bodies of POST /api/proposals, /approve and /reject: the request, or the problem to answer with (415 and
/// 413 as every POST endpoint, 400 for malformed JSON, wrong member types and the values the Core types refuse, with the
/// offending member's JSON path). Members it does not know are ignored.
/// </summary>
internal static class ProposalRequestReader
{
    /// <summary>The actor recorded when nobody says who they are.</summary>
    public const string Anonymous = "anonymous";

    private const string InvalidRequest = "Invalid proposal request";
    private const int MaxActorLength = 200;

    public static async Task<(ProposalRequest? Request, IResult? Problem)> ReadCreateAsync(HttpContext context, int limit)
    {
        var (bytes, problem) = await RequestBody.ReadJsonAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return ReadCreate(document.RootElement, context);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("Malformed JSON", $"The body is not valid JSON: {ex.Message}"));
        }
    }

    /// <summary>
    /// Reads the optional body of approve and reject: {"reason", "actor"}. The JSON content type is required even when the
    /// body is empty: it makes browsers preflight cross-origin requests, so a web page cannot approve with a "simple" POST.
    /// </summary>
    public static async Task<(string? Reason, string? Actor, IResult? Problem)> ReadDecisionAsync(HttpContext context, int limit, bool allowReason)
    {
        var (bytes, problem) = await RequestBody.ReadJsonAsync(context.Request, limit, context.RequestAborted).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, null, problem);
        }

        string? bodyActor = null;
        string? reason = null;
        if (bytes!.Length > 0)
        {
            try
            {
                using var document = JsonDocument.Parse(bytes);
                var root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    var example = allowReason ? """{"reason":"The loss is already improving."}""" : """{"actor":"alice"}""";
                    return (null, null, Problems.BadRequest(InvalidRequest, $"The body must be empty or a JSON object such as {example}."));
                }

                if (allowReason && !TryGetString(root, "reason", out reason))
                {
                    return (null, null, Problems.BadRequest("Invalid reason", $"\"reason\" must be a string of at most {ProposalRequest.MaxTextLength:N0} characters.", "$.reason"));
                }

                if (!TryGetString(root, "actor", out bodyActor))
                {
                    return (null, null, Problems.BadRequest("Invalid actor", $"\"actor\" must be a string of at most {MaxActorLength} characters.", "$.actor"));
                }
            }
            catch (JsonException ex)
            {
                return (null, null, Problems.BadRequest("Malformed JSON", $"The body is not valid JSON: {ex.Message}"));
            }
        }

        if (bodyActor is { Length: > MaxActorLength })
        {
            return (null, null, Problems.BadRequest("Invalid actor", $"\"actor\" is {bodyActor.Length:N0} characters long; the most is {MaxActorLength}.", "$.actor"));
        }

        return (reason, ResolveActor(context, bodyActor), null);
    }

    /// <summary>
    /// Who is acting: the authenticated user's name; otherwise what the body says; otherwise "anonymous". An authenticated
    /// request never takes the body's word for it.
    /// </summary>
    public static string ResolveActor(HttpContext context, string? bodyActor)
    {
        if (context.User.Identity is { IsAuthenticated: true } identity)
        {
            return string.IsNullOrWhiteSpace(identity.Name) ? Anonymous : identity.Name;
        }

        return string.IsNullOrWhiteSpace(bodyActor) ? Anonymous : bodyActor;
    }

    private static (ProposalRequest? Request, IResult? Problem) ReadCreate(JsonElement root, HttpContext context)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Fail(InvalidRequest, """The body must be a JSON object such as {"run_id":"run-1","commands":[{"action":"set_learning_rate","value":0.001}]}.""", "$");
        }

        if (!TryGetString(root, "run_id", out var runId) || !TryGetString(root, "run", out var runAlias))
        {
            return Fail("Invalid run id", "\"run_id\" must be a run id string (1 to 128 letters, digits, '-', '_' or '.').", "$.run_id");
        }

        if (runId is not null && runAlias is not null && !string.Equals(runId, runAlias, StringComparison.Ordinal))
        {
            return Fail("Invalid run id", $"\"run_id\" ('{runId}') and \"run\" ('{runAlias}') name different runs; give one.", "$.run");
        }

        runId ??= runAlias;
        if (runId is null)
        {
            return Fail(InvalidRequest, "The body must have a string \"run_id\": the run to steer.", "$.run_id");
        }

        if (!RunDescriptor.IsValidId(runId))
        {
            return Fail("Invalid run id", $"'{runId}' is not a valid run id: use 1 to 128 letters, digits, '-', '_' or '.'.", "$.run_id");
        }

        if (!root.TryGetProperty("commands", out var commandsElement) || commandsElement.ValueKind != JsonValueKind.Array
            || commandsElement.GetArrayLength() is 0 or > ProposalRequest.MaxCommands)
        {
            var count = commandsElement.ValueKind == JsonValueKind.Array ? $"; it has {commandsElement.GetArrayLength()}" : string.Empty;
            return Fail("Invalid commands", $"\"commands\" must be an array of 1 to {ProposalRequest.MaxCommands} commands such as {{\"action\":\"pause\"}}{count}.", "$.commands");
        }

        var commands = new List<FixCommand>(commandsElement.GetArrayLength());
        foreach (var element in commandsElement.EnumerateArray())
        {
            var (command, problem) = ReadCommand(element, $"$.commands[{commands.Count}]");
            if (command is null)
            {
                return (null, problem);
            }

            commands.Add(command);
        }

        string? title = null, rationale = null, expectedEffect = null, targetMetric = null, actor = null;
        foreach (var (name, setter) in new (string, Action<string?>)[]
        {
            ("title", v => title = v), ("rationale", v => rationale = v), ("expected_effect", v => expectedEffect = v),
            ("target_metric", v => targetMetric = v), ("actor", v => actor = v),
        })
        {
            if (!TryGetString(root, name, out var value))
            {
                return Fail($"Invalid {name.Replace('_', ' ')}", $"\"{name}\" must be a string.", "$." + name);
            }

            setter(value);
        }

        // The Core request type owns the rules of its values (lengths, counts): its refusals are the 400s' details.
        try
        {
            var request = new ProposalRequest(runId, commands, ProposalSource.External)
            {
                Title = title,
                Rationale = rationale,
                ExpectedEffect = expectedEffect,
                TargetMetric = targetMetric,
                Actor = ResolveActor(context, actor),
            };
            return (request, null);
        }
        catch (ArgumentException ex)
        {
            return Fail(InvalidRequest, Detail(ex), "$." + ToWireName(ex.ParamName));
        }
    }

    /// <summary>One {"action","value","path"}: the command, or a 400 naming its member.</summary>
    private static (FixCommand? Command, IResult? Problem) ReadCommand(JsonElement element, string at)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return FailCommand(InvalidRequest, $"Each command must be a JSON object such as {{\"action\":\"pause\"}}; {at} is not.", at);
        }

        if (!element.TryGetProperty("action", out var actionElement) || actionElement.ValueKind != JsonValueKind.String)
        {
            return FailCommand("Invalid command", $"{at} must have a string \"action\": {ControlEndpoint.ActionList}.", at + ".action");
        }

        var actionText = actionElement.GetString();
        if (!WireNames.TryParseAction(actionText, out var action))
        {
            return FailCommand("Unknown action", $"Unknown action '{actionText}' at {at}. Use {ControlEndpoint.ActionList}.", at + ".action");
        }

        double? value = null;
        if (element.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null)
        {
            value = ControlEndpoint.ReadValue(valueElement);
            if (value is not { } v || !double.IsFinite(v))
            {
                return FailCommand("Invalid value", $"{at}.value must be a finite JSON number.", at + ".value");
            }
        }

        string? path = null;
        if (element.TryGetProperty("path", out var pathElement) && pathElement.ValueKind != JsonValueKind.Null)
        {
            path = pathElement.ValueKind == JsonValueKind.String ? pathElement.GetString() : null;
            if (string.IsNullOrWhiteSpace(path))
            {
                return FailCommand("Invalid path", $"{at}.path must be a non-empty string: the checkpoint file to restore.", at + ".path");
            }
        }

        if (WireFormat.ActionTakesValue(action) != value.HasValue)
        {
            return value.HasValue
                ? FailCommand("Unexpected value", $"The action '{actionText}' at {at} takes no \"value\".", at + ".value")
                : FailCommand("Missing value", $"The action '{actionText}' at {at} needs a numeric \"value\", such as {{\"action\":\"{actionText}\",\"value\":{(action == ControlAction.SetEarlyStopping ? "5" : "0.001")}}}.", at + ".value");
        }

        if (WireFormat.ActionTakesPath(action) != (path is not null))
        {
            return path is not null
                ? FailCommand("Unexpected path", $"The action '{actionText}' at {at} takes no \"path\"; only restore_checkpoint does.", at + ".path")
                : FailCommand("Missing path", $"The action '{actionText}' at {at} needs a string \"path\": the checkpoint to restore.", at + ".path");
        }

        return (new FixCommand(action, value) { Path = path }, null);
    }

    /// <summary>Reads an optional string member: false when it is present with another type than string or null.</summary>
    private static bool TryGetString(JsonElement root, string name, out string? value)
    {
        value = null;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        value = element.GetString();
        return true;
    }

    /// <summary>The exception's message without the " (Parameter 'name')" that names a C# parameter.</summary>
    public static string Detail(ArgumentException exception)
    {
        var suffix = $" (Parameter '{exception.ParamName}')";
        return exception.ParamName is not null && exception.Message.EndsWith(suffix, StringComparison.Ordinal)
            ? exception.Message[..^suffix.Length]
            : exception.Message;
    }

    private static string ToWireName(string? parameter) => parameter switch
    {
        "Title" => "title",
        "Rationale" => "rationale",
        "ExpectedEffect" => "expected_effect",
        "Actor" => "actor",
        "commands" => "commands",
        _ => "run_id",
    };

    private static (ProposalRequest? Request, IResult? Problem) Fail(string title, string detail, string path) => (null, Problems.BadRequest(title, detail, path));

    private static (FixCommand? Command, IResult? Problem) FailCommand(string title, string detail, string path) => (null, Problems.BadRequest(title, detail, path));
}
