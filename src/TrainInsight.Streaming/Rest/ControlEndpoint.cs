using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// POST /api/training/control with {"action":"pause"|"resume"|"stop"|"set_learning_rate"|"set_weight_decay"|
/// "save_checkpoint"|"evaluate"|"set_early_stopping"|"restore_checkpoint","run_id":optional,"value":number,"path":string}.
/// "value" is required by the set_ actions (a JSON number, or "NaN", "Infinity" or "-Infinity", which the trainer rejects
/// with an audited acknowledgement) and refused with the other actions; "path" (the checkpoint) is required by
/// restore_checkpoint and refused with the others. The value's range (a patience's whole number included) and whether
/// the file is a checkpoint of the run's model are the trainer's to check.
/// </summary>
internal static class ControlEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context, ITrainingControl control, StreamingOptions options, ILoggerFactory loggerFactory)
    {
        // A JSON content type is required: it makes a browser preflight cross-origin requests (CORS), so a web page
        // cannot post to these endpoints with a "simple" request.
        var (body, problem) = await RequestBody.ReadJsonAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        string? actionText;
        string? runId = null;
        double? value = null;
        string? path = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.BadRequest("Invalid control request", "The body must be a JSON object such as {\"action\":\"pause\"}.");
            }

            if (!document.RootElement.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                return Problems.BadRequest("Invalid control request", "The body must have a string \"action\": " + ActionList + ".");
            }

            actionText = action.GetString();
            if (document.RootElement.TryGetProperty("value", out var valueElement) && valueElement.ValueKind != JsonValueKind.Null)
            {
                value = ReadValue(valueElement);
                if (value is null)
                {
                    return Problems.BadRequest("Invalid value", "\"value\" must be a JSON number (or \"NaN\", \"Infinity\" or \"-Infinity\").");
                }
            }

            if (document.RootElement.TryGetProperty("path", out var pathElement) && pathElement.ValueKind != JsonValueKind.Null)
            {
                path = pathElement.ValueKind == JsonValueKind.String ? pathElement.GetString() : null;
                if (string.IsNullOrWhiteSpace(path))
                {
                    return Problems.BadRequest("Invalid path", "\"path\" must be a non-empty string: the checkpoint file to restore.");
                }
            }

            if (document.RootElement.TryGetProperty("run_id", out var run) && run.ValueKind != JsonValueKind.Null)
            {
                runId = run.ValueKind == JsonValueKind.String ? run.GetString() : null;
                if (!RunDescriptor.IsValidId(runId))
                {
                    return Problems.BadRequest("Invalid run id", "\"run_id\" must be a run id string (1 to 128 letters, digits, '-', '_' or '.').");
                }
            }
        }
        catch (JsonException ex)
        {
            return Problems.BadRequest("Malformed JSON", $"The body is not valid JSON: {ex.Message}");
        }

        if (!WireNames.TryParseAction(actionText, out var parsed))
        {
            return Problems.BadRequest("Unknown action", $"Unknown action '{actionText}'. Use {ActionList}.");
        }

        var takesValue = WireFormat.ActionTakesValue(parsed);
        if (takesValue && value is null)
        {
            var example = parsed == ControlAction.SetEarlyStopping ? "5" : "0.001";
            return Problems.BadRequest("Missing value", $"The action '{actionText}' needs a numeric \"value\", such as {{\"action\":\"{actionText}\",\"value\":{example}}}.");
        }

        if (!takesValue && value is not null)
        {
            return Problems.BadRequest("Unexpected value", $"The action '{actionText}' takes no \"value\".");
        }

        var takesPath = WireFormat.ActionTakesPath(parsed);
        if (takesPath && path is null)
        {
            return Problems.BadRequest("Missing path", $"The action '{actionText}' needs a string \"path\", the checkpoint to restore, such as {{\"action\":\"{actionText}\",\"path\":\"checkpoints/step-400.pt\"}}.");
        }

        if (!takesPath && path is not null)
        {
            return Problems.BadRequest("Unexpected path", $"The action '{actionText}' takes no \"path\"; only restore_checkpoint does.");
        }

        ControlCommand command;
        try
        {
            command = path is null ? control.Submit(parsed, runId, value) : control.Submit(new ControlCommand(parsed, runId, value) { Path = path });
        }
        catch (RunNotActiveException ex)
        {
            return runId is null
                ? Problems.Conflict("No active run", ex.Message)
                : Problems.NotFound("Run not active", ex.Message);
        }
        catch (ControlQueueFullException ex)
        {
            return Problems.TooManyRequests("Too many pending commands", ex.Message);
        }

        Log.ControlQueued(loggerFactory.CreateLogger("TrainInsight.Streaming.Control"), command.Id, command.Action, runId ?? "*");
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("command_id", command.Id);
            writer.WriteString("action", WireNames.Action(command.Action));
            if (command.Value is { } commandValue)
            {
                if (double.IsFinite(commandValue))
                {
                    writer.WriteNumber("value", commandValue);
                }
                else
                {
                    writer.WriteString("value", double.IsNaN(commandValue) ? "NaN" : commandValue > 0 ? "Infinity" : "-Infinity");
                }
            }

            if (command.Path is { } commandPath)
            {
                writer.WriteString("path", commandPath);
            }

            if (runId is not null)
            {
                writer.WriteString("run_id", runId);
            }

            writer.WriteString("status", "accepted");
            writer.WriteNumber("issued_at", command.IssuedAt.ToUnixTimeMilliseconds() / 1000.0);
            writer.WriteEndObject();
        }

        return new JsonBytesResult(buffer.WrittenMemory, StatusCodes.Status202Accepted);
    }

    /// <summary>The actions' wire names as the problems list them.</summary>
    public const string ActionList =
        "\"pause\", \"resume\", \"stop\", \"set_learning_rate\", \"set_weight_decay\", \"save_checkpoint\", \"evaluate\", \"set_early_stopping\" or \"restore_checkpoint\"";

    /// <summary>A command's value: a JSON number, or "NaN", "Infinity" or "-Infinity"; null when it is neither.</summary>
    public static double? ReadValue(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number when element.TryGetDouble(out var number) && double.IsFinite(number) => number,
        JsonValueKind.String => element.GetString() switch
        {
            "NaN" => double.NaN,
            "Infinity" => double.PositiveInfinity,
            "-Infinity" => double.NegativeInfinity,
            _ => null,
        },
        _ => null,
    };
}
