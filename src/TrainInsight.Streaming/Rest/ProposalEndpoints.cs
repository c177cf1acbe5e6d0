using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// GET /api/proposals, GET /api/proposals/{id}, POST /api/proposals, POST /api/proposals/{id}/approve and /reject, and
/// GET /api/assistant/stats: the host's <see cref="IProposalService"/> (TrainInsight.Proposals registers one), mapped only
/// when one is registered.
/// </summary>
/// <remarks>
/// The documents are the proposal's revision without the stream envelope (no offset or sequence): a revision returned by
/// the service may not have been dispatched by the bus yet, and its encoded stream bytes are cached per event.
/// </remarks>
internal static class ProposalEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;
    private const string IdRule = "1 to 128 letters, digits, '-', '_' or '.'";

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/api/proposals", ListAsync).WithName("TrainInsight.Proposals.List")
            .WithSummary("Lists proposals, the latest revision of each, the most recently made first.")
            .Produces<ProposalListResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithRunQueryParameter("Only the proposals that steer this run.")
            .WithQueryParameter("state", "Only the proposals in this state now. The default is every state.", OpenApiMetadata.StringEnum(WireNames.ProposalStates.Select(s => s.Name)))
            .WithQueryParameter("limit", $"The most proposals to return, 1 to {MaxLimit:N0}. The default is {DefaultLimit}.", OpenApiMetadata.Integer(1, MaxLimit));
        group.MapGet("/api/proposals/{id}", GetAsync).WithName("TrainInsight.Proposals.Get")
            .WithSummary("Gets a proposal's latest revision with its history: every revision, oldest first (the audit trail).")
            .Produces<ProposalModel>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithIdPathParameter("id", $"The proposal's id: {IdRule}.");
        group.MapPost("/api/proposals", CreateAsync).WithName("TrainInsight.Proposals.Create")
            .WithSummary("Proposes control commands for a live run; nothing is applied until a person approves.")
            .WithDescription("Answers 201 with the pending proposal (source external), or the pending one that already proposes the same commands for the run.")
            .WithJsonRequestBody(typeof(ProposalCreateRequestModel), "The run and the commands, as application/json.")
            .Produces<ProposalModel>(StatusCodes.Status201Created)
            .WithWriteProblems();
        group.MapPost("/api/proposals/{id}/approve", ApproveAsync).WithName("TrainInsight.Proposals.Approve")
            .WithSummary("Approves a pending proposal: its commands are queued for the run's next step boundary.")
            .WithDescription("The body is optional ({\"actor\"}), the JSON Content-Type is not. The answer is the approved revision, or the failed one when the commands could not be queued.")
            .WithJsonRequestBody(typeof(ProposalDecisionRequestModel), "Optional: who approves, as application/json.")
            .Produces<ProposalModel>()
            .WithWriteProblems()
            .WithIdPathParameter("id", $"The proposal's id: {IdRule}.");
        group.MapPost("/api/proposals/{id}/reject", RejectAsync).WithName("TrainInsight.Proposals.Reject")
            .WithSummary("Rejects a pending proposal; nothing is applied.")
            .WithDescription("The body is optional ({\"reason\", \"actor\"}), the JSON Content-Type is not.")
            .WithJsonRequestBody(typeof(ProposalDecisionRequestModel), "Optional: why and who, as application/json.")
            .Produces<ProposalModel>()
            .WithWriteProblems()
            .WithIdPathParameter("id", $"The proposal's id: {IdRule}.");
        group.MapGet("/api/assistant/stats", StatsAsync).WithName("TrainInsight.Assistant.Stats")
            .WithSummary("Counts proposals made, approved, applied and helped, with the adoption and helped rates: overall, per run, per source and per action.")
            .Produces<ProposalStatsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .WithRunQueryParameter("Only this run's proposals. The default is every run.");
    }

    public static async Task<IResult> ListAsync(HttpRequest request, IProposalService proposals, CancellationToken cancellationToken)
    {
        if (!QueryParsing.TryGetRunId(request, out var runId, out var problem)
            || !RunEndpoints.TryGetInt(request, "limit", DefaultLimit, MaxLimit, out var limit, out problem)
            || !TryGetState(request, out var state, out problem))
        {
            return problem;
        }

        var query = new ProposalQuery { RunId = runId, Limit = limit, State = state };
        var latest = await proposals.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(new ProposalListResponse([.. latest.Select(ProposalModel.From)]), RestJsonContext.Default.ProposalListResponse);
    }

    public static async Task<IResult> GetAsync(string id, IProposalService proposals, CancellationToken cancellationToken)
    {
        if (!RunDescriptor.IsValidId(id))
        {
            return InvalidId(id);
        }

        var latest = await proposals.GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            return Problems.NotFound("Proposal not found", $"Proposal '{id}' is unknown.");
        }

        var history = await proposals.GetHistoryAsync(id, cancellationToken).ConfigureAwait(false);
        return Json(ProposalModel.From(latest) with { History = [.. history.Select(ProposalModel.From)] });
    }

    public static async Task<IResult> CreateAsync(HttpContext context, IProposalService proposals, StreamingOptions options)
    {
        var (request, problem) = await ProposalRequestReader.ReadCreateAsync(context, options.MaxRequestBodyBytes).ConfigureAwait(false);
        if (request is null)
        {
            return problem!;
        }

        try
        {
            var proposal = await proposals.ProposeAsync(request, context.RequestAborted).ConfigureAwait(false);
            context.Response.Headers.Location = $"{context.Request.PathBase}{context.Request.Path}/{Uri.EscapeDataString(proposal.ProposalId)}";
            return Json(ProposalModel.From(proposal), StatusCodes.Status201Created);
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            return mapped;
        }
    }

    public static Task<IResult> ApproveAsync(string id, HttpContext context, IProposalService proposals, StreamingOptions options) =>
        DecideAsync(id, context, options, allowReason: false, (reason, actor, ct) => proposals.ApproveAsync(id, actor, ct));

    public static Task<IResult> RejectAsync(string id, HttpContext context, IProposalService proposals, StreamingOptions options) =>
        DecideAsync(id, context, options, allowReason: true, (reason, actor, ct) => proposals.RejectAsync(id, reason, actor, ct));

    public static async Task<IResult> StatsAsync(HttpRequest request, IProposalService proposals, CancellationToken cancellationToken)
    {
        if (!QueryParsing.TryGetRunId(request, out var runId, out var problem))
        {
            return problem;
        }

        var latest = await proposals.ListAsync(new ProposalQuery { RunId = runId, Limit = MaxLimit }, cancellationToken).ConfigureAwait(false);
        var statistics = ProposalStatistics.Compute(latest);
        return TypedResults.Json(ProposalStatsResponse.From(runId, statistics), RestJsonContext.Default.ProposalStatsResponse);
    }

    private static async Task<IResult> DecideAsync(
        string id, HttpContext context, StreamingOptions options, bool allowReason, Func<string?, string, CancellationToken, Task<ProposalEvent>> decide)
    {
        if (!RunDescriptor.IsValidId(id))
        {
            return InvalidId(id);
        }

        var (reason, actor, problem) = await ProposalRequestReader.ReadDecisionAsync(context, options.MaxRequestBodyBytes, allowReason).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        try
        {
            return Json(ProposalModel.From(await decide(reason, actor!, context.RequestAborted).ConfigureAwait(false)));
        }
        catch (Exception ex) when (Map(ex, context) is { } mapped)
        {
            return mapped;
        }
    }

    /// <summary>The problem for an exception the service documents; null for any other (it propagates).</summary>
    private static IResult? Map(Exception exception, HttpContext context) => exception switch
    {
        ProposalNotFoundException notFound => Problems.NotFound("Proposal not found", notFound.Message),
        RunNotFoundException runNotFound => Problems.NotFound("Run not found", runNotFound.Message),
        ProposalStateException { State: { } state } conflict => Problems.Conflict(
            "Proposal not pending",
            conflict.Message,
            new Dictionary<string, object?>(StringComparer.Ordinal) { ["proposal_id"] = conflict.ProposalId, ["state"] = WireNames.State(state) }),
        ProposalStateException conflict => Problems.Conflict("Run has ended", conflict.Message),
        ArgumentException invalid => Problems.BadRequest("Invalid proposal request", ProposalRequestReader.Detail(invalid)),
        OperationCanceledException when context.RequestAborted.IsCancellationRequested => Results.Empty,
        _ => null,
    };

    private static bool TryGetState(HttpRequest request, out ProposalState? state, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out IResult? problem)
    {
        state = null;
        problem = null;
        if (!request.Query.TryGetValue("state", out var raw))
        {
            return true;
        }

        if (raw.Count != 1 || !WireNames.TryParseProposalState(raw[0], out var parsed))
        {
            var names = string.Join(", ", WireNames.ProposalStates.Select(s => s.Name));
            problem = Problems.BadRequest("Invalid state", $"state must be one of {names}, given once, not '{raw}'.");
            return false;
        }

        state = parsed;
        return true;
    }

    private static IResult InvalidId(string id) =>
        Problems.BadRequest("Invalid proposal id", $"'{id}' is not a valid proposal id: use {IdRule}.");

    private static JsonBytesResult Json(ProposalModel model, int status = StatusCodes.Status200OK) =>
        new(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(model, RestJsonContext.Default.ProposalModel), status);

    private static RouteHandlerBuilder WithWriteProblems(this RouteHandlerBuilder builder) => builder
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
}
