using System.Buffers;
using System.Text.Json;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Serialization;

/// <summary>
/// The JSON documents of the /api/assistant endpoints (docs/protocol.md, "Assistant"): the answer, the data of the SSE
/// events and the conversation. Members the brief calls nullable are written as null rather than omitted, so that clients
/// see every member of an answer; a finding is exactly its event's SSE data, as GET /api/runs/{id}/findings lists it.
/// </summary>
internal static class AssistantJson
{
    public static string Operation(AssistantOperation operation) => operation switch
    {
        AssistantOperation.Analyze => "analyze",
        AssistantOperation.Suggest => "suggest",
        AssistantOperation.Diagnose => "diagnose",
        AssistantOperation.Chat => "chat",
        _ => operation.ToString().ToLowerInvariant(),
    };

    public static string Source(AssistantSource source) => source switch
    {
        AssistantSource.Model => "model",
        AssistantSource.Rules => "rules",
        _ => source.ToString().ToLowerInvariant(),
    };

    public static string Role(ConversationRole role) => role switch
    {
        ConversationRole.User => "user",
        ConversationRole.Assistant => "assistant",
        _ => role.ToString().ToLowerInvariant(),
    };

    /// <summary>The answer document.</summary>
    public static byte[] Answer(AssistantAnswer answer) => Write(1024 + (512 * answer.Findings.Count), writer => WriteAnswer(writer, answer));

    /// <summary>The data of a delta event: {"text":"…"}.</summary>
    public static byte[] Delta(string text) => Write(64 + text.Length, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("text", text);
        writer.WriteEndObject();
    });

    /// <summary>The data of a reset event: {"reason":"…"}.</summary>
    public static byte[] Reset(string reason) => Write(64 + reason.Length, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("reason", reason);
        writer.WriteEndObject();
    });

    /// <summary>The data of the error event that ends a stream whose headers were already sent: a problem document.</summary>
    public static byte[] Problem(int status, string type, string title, string detail) => Write(256, writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("type", type);
        writer.WriteString("title", title);
        writer.WriteNumber("status", status);
        writer.WriteString("detail", detail);
        writer.WriteEndObject();
    });

    /// <summary>GET /api/assistant/conversations/{conversation_id}.</summary>
    public static byte[] Conversation(string runId, string conversationId, IReadOnlyList<ConversationMessage> messages) => Write(256 * (messages.Count + 1), writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("run_id", runId);
        writer.WriteString("conversation_id", conversationId);
        writer.WriteStartArray("messages");
        foreach (var message in messages)
        {
            writer.WriteStartObject();
            writer.WriteString("role", Role(message.Role));
            writer.WriteString("text", message.Text);
            writer.WriteNumber("timestamp", WireNames.UnixSeconds(message.Timestamp));
            if (message.Source is { } source)
            {
                writer.WriteString("source", Source(source));
            }
            else
            {
                writer.WriteNull("source");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    });

    private static void WriteAnswer(Utf8JsonWriter writer, AssistantAnswer answer)
    {
        writer.WriteStartObject();
        writer.WriteString("run_id", answer.RunId);
        writer.WriteString("operation", Operation(answer.Operation));
        writer.WriteString("source", Source(answer.Source));
        writer.WriteString("text", answer.Text);
        writer.WriteString("language", answer.Language);
        WriteStringOrNull(writer, "notice", answer.Notice);
        if (answer.Operation == AssistantOperation.Chat || answer.ConversationId is not null)
        {
            WriteStringOrNull(writer, "conversation_id", answer.ConversationId);
        }

        WriteStringOrNull(writer, "model_id", answer.ModelId);
        writer.WriteStartObject("usage");
        WriteNumberOrNull(writer, "input_tokens", answer.InputTokens);
        WriteNumberOrNull(writer, "output_tokens", answer.OutputTokens);
        writer.WriteEndObject();
        writer.WriteNumber("context_tokens", answer.ContextTokens);
        writer.WriteNumber("elapsed_ms", (long)Math.Round(answer.Elapsed.TotalMilliseconds, MidpointRounding.AwayFromZero));

        // Each finding is its event's SSE data, encoded once and shared with the streams and GET /api/runs/{id}/findings.
        writer.WriteStartArray("findings");
        foreach (var finding in answer.Findings)
        {
            writer.WriteRawValue(EncodedEvent.For(finding).Sse, skipInputValidation: true);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("suggestions");
        foreach (var suggestion in answer.Suggestions)
        {
            WriteSuggestion(writer, suggestion);
        }

        writer.WriteEndArray();

        // Each proposal is the document of GET /api/proposals/{id} (without its history): the answer's revision may not
        // have been dispatched yet, so it has no offset to carry.
        writer.WriteStartArray("proposals");
        foreach (var proposal in answer.Proposals)
        {
            JsonSerializer.Serialize(writer, Rest.ProposalModel.From(proposal), RestJsonContext.Default.ProposalModel);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSuggestion(Utf8JsonWriter writer, HyperparameterSuggestion suggestion)
    {
        writer.WriteStartObject();
        writer.WriteString("parameter", suggestion.Parameter);
        WriteDoubleOrNull(writer, "current_value", suggestion.CurrentValue);
        WriteDoubleOrNull(writer, "proposed_value", suggestion.ProposedValue);
        writer.WriteString("rationale", suggestion.Rationale);
        writer.WriteString("expected_effect", suggestion.ExpectedEffect);
        writer.WriteNumber("priority", suggestion.Priority);
        WriteDouble(writer, "confidence", suggestion.Confidence);

        // The same shape as a finding's fix commands: the body to POST to /api/training/control, "value" only where the
        // action takes one.
        writer.WriteStartArray("commands");
        foreach (var command in suggestion.Commands)
        {
            writer.WriteStartObject();
            writer.WriteString("action", WireNames.Action(command.Action));
            if (command.Value is { } value)
            {
                WriteDouble(writer, "value", value);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        WriteStringOrNull(writer, "finding_id", suggestion.FindingId);
        writer.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteDoubleOrNull(Utf8JsonWriter writer, string name, double? value)
    {
        if (value is { } number)
        {
            WriteDouble(writer, name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Non-finite numbers as the strings "NaN", "Infinity" and "-Infinity", as in every TrainInsight document.</summary>
    private static void WriteDouble(Utf8JsonWriter writer, string name, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else
        {
            writer.WriteString(name, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static byte[] Write(int capacity, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(capacity);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
