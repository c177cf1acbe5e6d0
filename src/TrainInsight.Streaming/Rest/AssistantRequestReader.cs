using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TrainInsight.Streaming.Internal;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// Reads the JSON bodies of POST /api/assistant/*: the body, or the problem to answer with (415 and 413 as every POST
/// endpoint, 400 for malformed JSON, wrong member types and the values the Core request types refuse, with their reasons).
/// Members it does not know are ignored.
/// </summary>
internal static class AssistantRequestReader
{
    private const string InvalidRequest = "Invalid assistant request";
    private const string RunIdRule = "the run, 1 to 128 letters, digits, '-', '_' or '.'";

    public static async Task<(AssistantBody? Body, IResult? Problem)> ReadAsync(
        HttpRequest request, int limit, AssistantBodyKind kind, CancellationToken cancellationToken)
    {
        var (bytes, problem) = await RequestBody.ReadJsonAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, problem);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return Read(document.RootElement, kind);
        }
        catch (JsonException ex)
        {
            return (null, Problems.BadRequest("Malformed JSON", $"The body is not valid JSON: {ex.Message}"));
        }
    }

    private static (AssistantBody? Body, IResult? Problem) Read(JsonElement root, AssistantBodyKind kind)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            var example = kind == AssistantBodyKind.Chat ? """{"run_id":"run-1","message":"Why is the loss flat?"}""" : """{"run_id":"run-1"}""";
            return Fail(InvalidRequest, $"The body must be a JSON object such as {example}.");
        }

        if (!TryGetString(root, "run_id", out var runId, out var present) || runId is null)
        {
            return Fail(present ? "Invalid run id" : InvalidRequest, $"The body must have a string \"run_id\": {RunIdRule}.");
        }

        string? message = null;
        if (kind == AssistantBodyKind.Chat && (!TryGetString(root, "message", out message, out present) || message is null))
        {
            return Fail(present ? "Invalid message" : InvalidRequest,
                $"The body must have a string \"message\": the question, not empty, at most {AssistantChatRequest.MaxMessageLength:N0} characters.");
        }

        if (!TryGetString(root, "language", out var language, out _))
        {
            return Fail("Invalid language", "\"language\" must be a string: a BCP 47 tag such as \"en\" or \"zh-CN\".");
        }

        string? conversationId = null;
        if (kind == AssistantBodyKind.Chat && !TryGetString(root, "conversation_id", out conversationId, out _))
        {
            return Fail("Invalid conversation id", "\"conversation_id\" must be a string: 1 to 128 letters, digits, '-', '_' or '.'.");
        }

        bool? stream = null;
        if (kind != AssistantBodyKind.Plain && root.TryGetProperty("stream", out var streamElement) && streamElement.ValueKind != JsonValueKind.Null)
        {
            if (streamElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return Fail("Invalid stream", "\"stream\" must be true or false.");
            }

            stream = streamElement.GetBoolean();
        }

        // The Core request types own the rules of their values: their refusals are the 400s' details.
        AssistantRequest request;
        try
        {
            request = message is null ? new AssistantRequest(runId) : new AssistantChatRequest(runId, message);
        }
        catch (ArgumentException ex)
        {
            return Fail(ex.ParamName == "message" ? "Invalid message" : "Invalid run id", Detail(ex));
        }

        try
        {
            request.Language = language;
        }
        catch (ArgumentException ex)
        {
            return Fail("Invalid language", Detail(ex));
        }

        if (request is AssistantChatRequest chat)
        {
            try
            {
                chat.ConversationId = conversationId;
            }
            catch (ArgumentException ex)
            {
                return Fail("Invalid conversation id", Detail(ex));
            }
        }

        return (new AssistantBody(request, stream), null);
    }

    /// <summary>
    /// Reads an optional string member: false when it is present with another type than string or null. A null member
    /// counts as absent (<paramref name="value"/> null, <paramref name="present"/> false).
    /// </summary>
    private static bool TryGetString(JsonElement root, string name, out string? value, out bool present)
    {
        value = null;
        present = root.TryGetProperty(name, out var element) && element.ValueKind != JsonValueKind.Null;
        if (!present)
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
    private static string Detail(ArgumentException exception)
    {
        var suffix = $" (Parameter '{exception.ParamName}')";
        return exception.ParamName is not null && exception.Message.EndsWith(suffix, StringComparison.Ordinal)
            ? exception.Message[..^suffix.Length]
            : exception.Message;
    }

    private static (AssistantBody? Body, IResult? Problem) Fail(string title, string detail) => (null, Problems.BadRequest(title, detail));
}
