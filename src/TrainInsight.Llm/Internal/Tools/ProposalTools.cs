using System.Collections.Concurrent;
using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using TrainInsight.Llm.Internal.Context;
using TrainInsight.Llm.Internal.Control;
using TrainInsight.Wire;

namespace TrainInsight.Llm.Internal.Tools;

/// <summary>
/// The model's <c>propose_control_action</c> tool: it only makes a pending proposal (<see cref="ProposalSource.Model"/>)
/// that a person approves or rejects; it never submits a command. Bad arguments come back to the model as an error text,
/// never as an exception. The proposals made during the chat turn are collected in <see cref="Made"/>.
/// </summary>
internal sealed class ProposalTools(ProposalGateway gateway, RunDataLoader loader, string runId)
{
    public const string Name = "propose_control_action";

    /// <summary>The most proposals one chat turn may make.</summary>
    public const int MaxPerTurn = 4;

    public const string Description =
        "Proposes a control action for the running training job. It ONLY creates a pending proposal: a person must approve it " +
        "before anything changes, so never say it was applied. Use it only when the user's own message asks to steer the run.";

    private static readonly string[] s_allowed =
        ["pause", "resume", "stop", "set_learning_rate", "set_weight_decay", "save_checkpoint", "evaluate", "set_early_stopping"];

    private int _calls;

    public ConcurrentQueue<ProposalEvent> Made { get; } = new();

    public AITool Create() => AIFunctionFactory.Create(ProposeAsync, Name, Description);

    public async Task<string> ProposeAsync(
        [Description("The action: pause, resume, stop, set_learning_rate, set_weight_decay, save_checkpoint, evaluate or set_early_stopping.")] string action,
        [Description("Why, in one or two sentences, with the numbers from the run or the user's request.")] string rationale,
        [Description("The new value, a number: required for set_learning_rate (above 0, at most 10), set_weight_decay (0 to 1) and set_early_stopping (a whole number of epochs, 0 to 10000; 0 turns it off); omit it for the other actions.")] JsonElement? value = null,
        CancellationToken cancellationToken = default)
    {
        var name = action?.Trim().ToLowerInvariant();
        if (name is null || !s_allowed.Contains(name, StringComparer.Ordinal) || !WireNames.TryParseAction(name, out var parsed))
        {
            return $"error: action {UntrustedText.Quote(action, 40)} is not one of: {string.Join(", ", s_allowed)}. Nothing was proposed.";
        }

        if (string.IsNullOrWhiteSpace(rationale))
        {
            return "error: rationale is required (why, with the numbers). Nothing was proposed.";
        }

        var (number, valueError) = Read(parsed, value);
        if (valueError is not null)
        {
            return $"error: {valueError}. Nothing was proposed.";
        }

        if (Interlocked.Increment(ref _calls) > MaxPerTurn)
        {
            return $"error: at most {MaxPerTurn} proposals can be made in one answer. Nothing more was proposed.";
        }

        double? current = null;
        try
        {
            current = ControlText.Current(await loader.LoadAsync(runId, cancellationToken).ConfigureAwait(false), parsed);
        }
        catch (RunNotFoundException ex)
        {
            return $"error: {ex.Message} Nothing was proposed.";
        }

        var command = new FixCommand(parsed, number);
        var request = new ProposalRequest(runId, [command], ProposalSource.Model)
        {
            Title = ControlText.Title(command, current, null),
            Rationale = rationale.Length <= ProposalRequest.MaxTextLength ? rationale.Trim() : rationale[..ProposalRequest.MaxTextLength],
            Actor = ProposalGateway.Actor,
        };
        var (proposal, error) = await gateway.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
        if (proposal is null)
        {
            return $"error: the proposal was refused: {error}. Nothing was proposed.";
        }

        Made.Enqueue(proposal);
        return $"proposal {proposal.ProposalId}: {proposal.Title}; state: {proposal.State.ToString().ToLowerInvariant()}. " +
            $"It changes nothing until a person approves it ({ControlText.ApprovePath(proposal.ProposalId)}) or rejects it. " +
            "Tell the user its id and that it waits for approval.";
    }

    private static (double? Value, string? Error) Read(ControlAction action, JsonElement? value)
    {
        double? number = null;
        if (value is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } v)
        {
            if (v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d))
            {
                number = d;
            }
            else if (v.ValueKind == JsonValueKind.String && double.TryParse(v.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && double.IsFinite(s))
            {
                number = s;
            }
            else
            {
                return (null, $"value {UntrustedText.Quote(v.GetRawText(), 40)} is not a finite number");
            }
        }

        return action switch
        {
            ControlAction.SetLearningRate => number is > 0 and <= ControlCommand.MaxLearningRate ? (number, null) : (null, $"set_learning_rate needs a value above 0 and at most 10{Got(number)}"),
            ControlAction.SetWeightDecay => number is >= 0 and <= ControlCommand.MaxWeightDecay ? (number, null) : (null, $"set_weight_decay needs a value from 0 to 1{Got(number)}"),
            ControlAction.SetEarlyStopping => number is >= 0 and <= ControlCommand.MaxEarlyStoppingPatience && Math.Floor(number.Value) == number.Value
                ? (number, null)
                : (null, $"set_early_stopping needs a whole number of epochs from 0 to 10000{Got(number)}"),

            // The other actions take no value; one sent anyway is ignored.
            _ => (null, null),
        };
    }

    private static string Got(double? number) => number is { } n ? "; got " + ControlText.F(n) : "; none was given";
}
