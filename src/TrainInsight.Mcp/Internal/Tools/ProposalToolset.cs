using System.ComponentModel;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TrainInsight.Wire;

namespace TrainInsight.Mcp.Internal.Tools;

/// <summary>
/// The proposal tools: read proposals with their audit trail, and make one. Making a proposal is all an MCP client can do
/// to a run: <see cref="IProposalService.ProposeAsync"/> with <see cref="ProposalSource.External"/>, which submits nothing to
/// <see cref="ITrainingControl"/>. There is deliberately no tool that approves, rejects or controls.
/// </summary>
internal sealed class ProposalToolset(IProposalService proposals, McpOptions options, ILogger logger)
{
    public const int DefaultProposalLimit = 20;

    /// <summary>The longest client name kept in a proposal's actor ("mcp:" and the name).</summary>
    public const int MaxClientNameLength = 100;

    private static readonly string s_actions = string.Join(", ", Enum.GetValues<ControlAction>().Select(WireNames.Action));
    private static readonly string s_states = string.Join(", ", WireNames.ProposalStates.Select(s => s.Name));

    public async Task<CallToolResult> ListProposalsAsync(
        [Description("Only proposals for this run; omit for every run.")] string? run_id = null,
        [Description("Only proposals in this state now: pending, approved, applied, failed, rejected or expired; omit for any.")] string? state = null,
        [Description("The most proposals to return, the most recently made first; 1 to the server's maximum (50 unless configured). The default is 20.")] int limit = DefaultProposalLimit,
        CancellationToken cancellationToken = default)
    {
        if (run_id is not null && RunToolset.Check(run_id) is { } invalid)
        {
            return invalid;
        }

        ProposalState? parsed = null;
        if (state is not null)
        {
            if (!WireNames.TryParseProposalState(state, out var s))
            {
                return ToolResults.Error($"state '{RunToolset.Shorten(state)}' is unknown; use one of: {s_states}.");
            }

            parsed = s;
        }

        if (limit < 1)
        {
            return ToolResults.Error($"limit must be at least 1; got {limit}.");
        }

        var query = new ProposalQuery { RunId = run_id, State = parsed, Limit = Math.Min(limit, options.MaxProposals) };
        var list = await proposals.ListAsync(query, cancellationToken).ConfigureAwait(false);
        return ToolResults.Text(JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("count", list.Count);
            w.WriteStartArray("proposals");
            foreach (var p in list)
            {
                ProposalJson.Write(w, p);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    public async Task<CallToolResult> GetProposalAsync(
        [Description("The proposal's id (\"prop_\" and 32 hex digits), as list_proposals or propose_control_action gives it.")] string proposal_id,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(proposal_id))
        {
            return ToolResults.Error("proposal_id is required; list_proposals lists the proposals.");
        }

        var latest = await proposals.GetAsync(proposal_id, cancellationToken).ConfigureAwait(false);
        if (latest is null)
        {
            return ToolResults.Error($"proposal '{RunToolset.Shorten(proposal_id)}' is unknown; list_proposals lists the proposals.");
        }

        var history = await proposals.GetHistoryAsync(proposal_id, cancellationToken).ConfigureAwait(false);
        return ToolResults.Text(JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WritePropertyName("proposal");
            ProposalJson.Write(w, latest);
            w.WriteStartArray("history");
            foreach (var revision in history)
            {
                ProposalJson.WriteRevision(w, revision);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }));
    }

    public async Task<CallToolResult> ProposeControlActionAsync(
        McpServer server,
        [Description("The run to steer, as list_runs gives it; it must still be training or paused.")] string run_id,
        [Description("The action's wire name: pause, resume, stop, set_learning_rate, set_weight_decay, save_checkpoint, evaluate, set_early_stopping or restore_checkpoint.")] string action,
        [Description("Why, with the numbers behind it (for example the loss trend you read with get_metric_history); the person who decides reads it. At most 4,000 characters.")] string rationale,
        [Description("The action's argument: the new learning rate (greater than 0, at most 10), the weight decay (0 to 1) or the early-stopping patience (a whole number, 0 to 10,000); omit for the other actions.")] double? value = null,
        [Description("The checkpoint file to restore, for restore_checkpoint only.")] string? path = null,
        [Description("What you expect the action to do, or omit. At most 4,000 characters.")] string? expected_effect = null,
        CancellationToken cancellationToken = default)
    {
        if (RunToolset.Check(run_id) is { } invalid)
        {
            return invalid;
        }

        if (!WireNames.TryParseAction(action, out var parsed))
        {
            return ToolResults.Error($"action '{RunToolset.Shorten(action ?? "")}' is unknown; use one of: {s_actions}. Nothing was proposed.");
        }

        if (string.IsNullOrWhiteSpace(rationale))
        {
            return ToolResults.Error("rationale is required: say why, with the numbers behind it. Nothing was proposed.");
        }

        var actor = Actor(server.ClientInfo?.Name);
        ProposalEvent proposal;
        try
        {
            var command = new FixCommand(parsed, value) { Path = string.IsNullOrWhiteSpace(path) ? null : path };
            var request = new ProposalRequest(run_id, [command], ProposalSource.External)
            {
                Rationale = rationale,
                ExpectedEffect = string.IsNullOrWhiteSpace(expected_effect) ? null : expected_effect,
                Actor = actor,
            };
            proposal = await proposals.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or RunNotFoundException or ProposalStateException)
        {
            return ToolResults.Error(e.Message + " Nothing was proposed.");
        }

        McpLog.Proposed(logger, actor, parsed, run_id, proposal.ProposalId, proposal.State);
        var note = proposal.State == ProposalState.Pending
            ? $"This is only a proposal: nothing was sent to the trainer. A person must approve it (POST /api/proposals/{proposal.ProposalId}/approve, or the dashboard) before it changes training; get_proposal shows whether they did."
            : $"The proposal is {WireNames.State(proposal.State)}: {(proposal.AutoApplied ? "the host's auto-apply policy approved this bounded action without a person" : "it was decided already")}. get_proposal shows its audit trail.";
        return ToolResults.Text(JsonText.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", proposal.ProposalId);
            w.WriteString("title", proposal.Title);
            w.WriteString("state", WireNames.State(proposal.State));
            w.WriteString("run_id", proposal.RunId);
            w.WriteString("note", note);
            w.WriteEndObject();
        }));
    }

    /// <summary>"mcp:" and the client's name from its implementation information, or "mcp" when it gave none.</summary>
    internal static string Actor(string? clientName)
    {
        if (string.IsNullOrWhiteSpace(clientName))
        {
            return "mcp";
        }

        var name = clientName.Trim();
        return "mcp:" + (name.Length <= MaxClientNameLength ? name : name[..MaxClientNameLength]);
    }
}
