using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>POST /api/training/control with {"action":"pause"|"resume"|"stop","run_id":optional}.</summary>
internal static class ControlEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context, ITrainingControl control, StreamingOptions options, ILoggerFactory loggerFactory)
    {
        var request = context.Request;
        // A JSON content type is required: it makes a browser preflight cross-origin requests (CORS), so a web page
        // cannot steer a local training run with a "simple" request.
        if (!IsJson(request.ContentType))
        {
            return Problems.UnsupportedMediaType(request.ContentType);
        }

        var limit = options.MaxRequestBodyBytes;
        if (request.ContentLength > limit)
        {
            return Problems.TooLarge(limit);
        }

        var body = await ReadBodyAsync(request.Body, limit, context.RequestAborted).ConfigureAwait(false);
        if (body is null)
        {
            return Problems.TooLarge(limit);
        }

        string? actionText;
        string? runId = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.BadRequest("Invalid control request", "The body must be a JSON object such as {\"action\":\"pause\"}.");
            }

            if (!document.RootElement.TryGetProperty("action", out var action) || action.ValueKind != JsonValueKind.String)
            {
                return Problems.BadRequest("Invalid control request", "The body must have a string \"action\": \"pause\", \"resume\" or \"stop\".");
            }

            actionText = action.GetString();
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

        ControlAction? parsed = actionText switch
        {
            "pause" => ControlAction.Pause,
            "resume" => ControlAction.Resume,
            "stop" => ControlAction.Stop,
            _ => null,
        };
        if (parsed is null)
        {
            return Problems.BadRequest("Unknown action", $"Unknown action '{actionText}'. Use \"pause\", \"resume\" or \"stop\".");
        }

        ControlCommand command;
        try
        {
            command = control.Submit(parsed.Value, runId);
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
            writer.WriteString("action", WireFormat.ActionName(command.Action));
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

    /// <summary>application/json or any +json type, in UTF-8 (no charset parameter, or utf-8).</summary>
    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.MediaType is not { } type)
        {
            return false;
        }

        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
            (type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && type.Contains('/', StringComparison.Ordinal));
        var charset = mediaType.CharSet?.Trim('"');
        return json && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; returns null when the body is longer.</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > limit)
                    {
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += read;
                if (total > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
