using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Streaming.Sse;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// POST /api/assistant/analyze, /suggest, /diagnose and /chat, and GET /api/assistant/conversations/{conversation_id}:
/// the host's <see cref="ITrainingAssistant"/> (TrainInsight.Llm registers one), mapped only when one is registered.
/// </summary>
internal static class AssistantEndpoints
{
    private const string ConversationIdRule = "1 to 128 letters, digits, '-', '_' or '.'";

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapPost("/api/assistant/analyze", AnalyzeAsync).WithName("TrainInsight.Assistant.Analyze")
            .WithSummary("Analyses the state of a run in words: where it stands, its trends and its findings explained.")
            .WithDescription("A JSON answer, or Server-Sent Events (delta, reset, answer) with \"stream\": true or an Accept header that ranks text/event-stream above application/json.")
            .WithJsonRequestBody(typeof(AssistantAnalyzeRequestModel), "The run and the language, as application/json.")
            .Produces<AssistantAnswerModel>(StatusCodes.Status200OK)
            .WithEventStreamAlternative()
            .WithAssistantProblems();
        group.MapPost("/api/assistant/suggest", SuggestAsync).WithName("TrainInsight.Assistant.Suggest")
            .WithSummary("Suggests hyperparameter changes for a run, ranked, with the control commands that apply them live.")
            .WithJsonRequestBody(typeof(AssistantRequestModel), "The run and the language, as application/json.")
            .Produces<AssistantAnswerModel>(StatusCodes.Status200OK)
            .WithAssistantProblems();
        group.MapPost("/api/assistant/diagnose", DiagnoseAsync).WithName("TrainInsight.Assistant.Diagnose")
            .WithSummary("Diagnoses a run: its open findings, their likely root cause and ranked fixes.")
            .WithJsonRequestBody(typeof(AssistantRequestModel), "The run and the language, as application/json.")
            .Produces<AssistantAnswerModel>(StatusCodes.Status200OK)
            .WithAssistantProblems();
        group.MapPost("/api/assistant/chat", ChatAsync).WithName("TrainInsight.Assistant.Chat")
            .WithSummary("Answers one message of a conversation about a run, as Server-Sent Events (delta, reset, answer).")
            .WithDescription("The message and the answer are added to the conversation; with \"stream\": false the answer comes as one JSON answer.")
            .WithJsonRequestBody(typeof(AssistantChatRequestModel), "The run, the message and the conversation it continues, as application/json.")
            .Produces<AssistantAnswerModel>(StatusCodes.Status200OK)
            .WithEventStreamAlternative()
            .WithAssistantProblems();
        group.MapGet("/api/assistant/conversations/{conversation_id}", GetConversationAsync).WithName("TrainInsight.Assistant.GetConversation")
            .WithSummary("Reads a conversation's messages, oldest first; empty when there is no such conversation.")
            .Produces<ConversationResponseModel>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithIdPathParameter("conversation_id", $"The conversation's id: {ConversationIdRule}.")
            .WithQueryParameter("run_id", "The run the conversation is about.", OpenApiMetadata.IdSchema(), required: true);
    }

    public static async Task<IResult> AnalyzeAsync(HttpContext context, ITrainingAssistant assistant, StreamingOptions options, ITelemetryBus bus, IMetricStore store)
    {
        var (body, problem) = await ReadAsync(context, options, AssistantBodyKind.Analyze).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var request = body.Request;
        var stream = body.Stream ?? AcceptHeader.PrefersEventStream(context.Request);
        if (stream && await UnknownRunAsync(request.RunId, bus, store, context.RequestAborted).ConfigureAwait(false) is { } unknown)
        {
            return unknown;
        }

        return stream
            ? new AssistantStreamResult("analyze", request.RunId, ct => assistant.AnalyzeStreamingAsync(request, ct), options.HeartbeatInterval)
            : await AnswerAsync(context, ct => assistant.AnalyzeAsync(request, ct)).ConfigureAwait(false);
    }

    public static async Task<IResult> SuggestAsync(HttpContext context, ITrainingAssistant assistant, StreamingOptions options)
    {
        var (body, problem) = await ReadAsync(context, options, AssistantBodyKind.Plain).ConfigureAwait(false);
        return body is null ? problem! : await AnswerAsync(context, ct => assistant.SuggestAsync(body.Request, ct)).ConfigureAwait(false);
    }

    public static async Task<IResult> DiagnoseAsync(HttpContext context, ITrainingAssistant assistant, StreamingOptions options)
    {
        var (body, problem) = await ReadAsync(context, options, AssistantBodyKind.Plain).ConfigureAwait(false);
        return body is null ? problem! : await AnswerAsync(context, ct => assistant.DiagnoseAsync(body.Request, ct)).ConfigureAwait(false);
    }

    public static async Task<IResult> ChatAsync(HttpContext context, ITrainingAssistant assistant, StreamingOptions options, ITelemetryBus bus, IMetricStore store)
    {
        var (body, problem) = await ReadAsync(context, options, AssistantBodyKind.Chat).ConfigureAwait(false);
        if (body is null)
        {
            return problem!;
        }

        var request = (AssistantChatRequest)body.Request;
        if (await UnknownRunAsync(request.RunId, bus, store, context.RequestAborted).ConfigureAwait(false) is { } unknown)
        {
            return unknown;
        }

        return body.Stream ?? true
            ? new AssistantStreamResult("chat", request.RunId, ct => assistant.ChatStreamingAsync(request, ct), options.HeartbeatInterval)
            : await AnswerAsync(context, ct => CompleteAsync(assistant.ChatStreamingAsync(request, ct), ct)).ConfigureAwait(false);
    }

    public static async Task<IResult> GetConversationAsync(
        [FromRoute(Name = "conversation_id")] string conversationId, HttpRequest request, ITrainingAssistant assistant, CancellationToken cancellationToken)
    {
        var runIds = request.Query["run_id"];
        if (runIds.Count != 1 || !RunDescriptor.IsValidId(runIds[0]))
        {
            var detail = runIds.Count == 0
                ? "run_id is required: the run the conversation is about, such as ?run_id=run-1."
                : $"run_id must be one run id (1 to 128 letters, digits, '-', '_' or '.'), given once, not '{runIds}'.";
            return Problems.BadRequest("Invalid run id", detail);
        }

        if (!RunDescriptor.IsValidId(conversationId))
        {
            return Problems.BadRequest("Invalid conversation id", $"'{conversationId}' is not a valid conversation id: use {ConversationIdRule}.");
        }

        var runId = runIds[0]!;
        try
        {
            var messages = await assistant.GetConversationAsync(runId, conversationId, cancellationToken).ConfigureAwait(false);
            return new JsonBytesResult(AssistantJson.Conversation(runId, conversationId, messages));
        }
        catch (RunNotFoundException ex)
        {
            return RunNotFound(ex);
        }
    }

    private static Task<(AssistantBody? Body, IResult? Problem)> ReadAsync(HttpContext context, StreamingOptions options, AssistantBodyKind kind) =>
        AssistantRequestReader.ReadAsync(context.Request, options.MaxRequestBodyBytes, kind, context.RequestAborted);

    /// <summary>The answer as JSON, or 404 for an unknown run; nothing when the client went away.</summary>
    private static async Task<IResult> AnswerAsync(HttpContext context, Func<CancellationToken, Task<AssistantAnswer>> answer)
    {
        try
        {
            return new JsonBytesResult(AssistantJson.Answer(await answer(context.RequestAborted).ConfigureAwait(false)));
        }
        catch (RunNotFoundException ex)
        {
            return RunNotFound(ex);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty;
        }
    }

    /// <summary>Reads a stream to its <see cref="AssistantUpdateKind.Completed"/> update, for chat with "stream": false.</summary>
    private static async Task<AssistantAnswer> CompleteAsync(IAsyncEnumerable<AssistantUpdate> updates, CancellationToken cancellationToken)
    {
        await foreach (var update in updates.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (update is { Kind: AssistantUpdateKind.Completed, Answer: { } answer })
            {
                return answer;
            }
        }

        throw new InvalidOperationException("The assistant's stream ended without its Completed update.");
    }

    /// <summary>
    /// A 404 before a stream starts when neither the bus nor the store knows the run: an assistant reports an unknown run
    /// only with its first update, which may wait for the model's first token, after the response has started.
    /// </summary>
    private static async Task<IResult?> UnknownRunAsync(string runId, ITelemetryBus bus, IMetricStore store, CancellationToken cancellationToken) =>
        bus.GetCurrent(runId) is null && await store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false) is null
            ? Problems.NotFound("Run not found", $"Run '{runId}' is unknown: neither the bus nor the store has an event of it.")
            : null;

    private static IResult RunNotFound(RunNotFoundException exception) => Problems.NotFound("Run not found", exception.Message);

    private static RouteHandlerBuilder WithAssistantProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
