// Shared source: compiled into the packages that write or read TrainInsight's JSON (Streaming, HttpIngest), so that
// every document spells states, event kinds and actions the same way (docs/protocol.md, docs/ingest.md). No public API.
namespace TrainInsight.Wire;

/// <summary>The wire names of run states, training-event kinds, control actions and proposals' states, sources and verdicts.</summary>
internal static class WireNames
{
    public static string State(RunState state) => state switch
    {
        RunState.Training => "training",
        RunState.Paused => "paused",
        RunState.Stopped => "stopped",
        RunState.Completed => "completed",
        RunState.Failed => "failed",
        RunState.Lost => "lost",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads a state a trainer may report (every state but lost, which only the server decides).</summary>
    public static RunState? ParseReportedState(string? state) => state switch
    {
        "training" => RunState.Training,
        "paused" => RunState.Paused,
        "stopped" => RunState.Stopped,
        "completed" => RunState.Completed,
        "failed" => RunState.Failed,
        _ => null,
    };

    public static string Kind(TrainingEventKind kind) => kind switch
    {
        TrainingEventKind.RunStarted => "run_started",
        TrainingEventKind.RunFinished => "run_finished",
        TrainingEventKind.EpochCompleted => "epoch_completed",
        TrainingEventKind.CheckpointSaved => "checkpoint_saved",
        TrainingEventKind.ControlApplied => "control_applied",
        TrainingEventKind.RunLost => "run_lost",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads an event kind a remote trainer may send (not control_applied or run_lost: those belong to the server).</summary>
    public static TrainingEventKind? ParseIngestKind(string? kind) => kind switch
    {
        "run_started" => TrainingEventKind.RunStarted,
        "run_finished" => TrainingEventKind.RunFinished,
        "epoch_completed" => TrainingEventKind.EpochCompleted,
        "checkpoint_saved" => TrainingEventKind.CheckpointSaved,
        _ => null,
    };

    /// <summary>Whether a remote trainer sends the event kind to a central server (see <see cref="ParseIngestKind"/>).</summary>
    public static bool IsIngestKind(TrainingEventKind kind) =>
        kind is TrainingEventKind.RunStarted or TrainingEventKind.RunFinished or TrainingEventKind.EpochCompleted or TrainingEventKind.CheckpointSaved;

    /// <summary>Gets the wire name of a control action ("pause", "set_learning_rate", …); <see cref="TryParseAction"/> reverses it.</summary>
    public static string Action(ControlAction action) => action switch
    {
        ControlAction.Pause => "pause",
        ControlAction.Resume => "resume",
        ControlAction.Stop => "stop",
        ControlAction.SetLearningRate => "set_learning_rate",
        ControlAction.SetWeightDecay => "set_weight_decay",
        ControlAction.SaveCheckpoint => "save_checkpoint",
        ControlAction.Evaluate => "evaluate",
        ControlAction.SetEarlyStopping => "set_early_stopping",
        ControlAction.RestoreCheckpoint => "restore_checkpoint",
        _ => action.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads a control action's wire name (exact, lower-case), as <see cref="Action"/> writes it.</summary>
    public static bool TryParseAction(string? name, out ControlAction action)
    {
        ControlAction? parsed = name switch
        {
            "pause" => ControlAction.Pause,
            "resume" => ControlAction.Resume,
            "stop" => ControlAction.Stop,
            "set_learning_rate" => ControlAction.SetLearningRate,
            "set_weight_decay" => ControlAction.SetWeightDecay,
            "save_checkpoint" => ControlAction.SaveCheckpoint,
            "evaluate" => ControlAction.Evaluate,
            "set_early_stopping" => ControlAction.SetEarlyStopping,
            "restore_checkpoint" => ControlAction.RestoreCheckpoint,
            _ => null,
        };
        action = parsed.GetValueOrDefault();
        return parsed is not null;
    }

    /// <summary>Every proposal state by its wire name ("pending", "approved", …), in lifecycle order.</summary>
    public static readonly IReadOnlyList<(string Name, ProposalState Value)> ProposalStates =
    [
        ("pending", ProposalState.Pending),
        ("approved", ProposalState.Approved),
        ("applied", ProposalState.Applied),
        ("failed", ProposalState.Failed),
        ("rejected", ProposalState.Rejected),
        ("expired", ProposalState.Expired),
    ];

    /// <summary>Gets the wire name of a proposal's state; <see cref="TryParseProposalState"/> reverses it.</summary>
    public static string State(ProposalState state) => state switch
    {
        ProposalState.Pending => "pending",
        ProposalState.Approved => "approved",
        ProposalState.Applied => "applied",
        ProposalState.Failed => "failed",
        ProposalState.Rejected => "rejected",
        ProposalState.Expired => "expired",
        _ => state.ToString().ToLowerInvariant(),
    };

    /// <summary>Reads a proposal state's wire name (exact, lower-case), as <see cref="State(ProposalState)"/> writes it.</summary>
    public static bool TryParseProposalState(string? name, out ProposalState state)
    {
        foreach (var (wire, value) in ProposalStates)
        {
            if (string.Equals(wire, name, StringComparison.Ordinal))
            {
                state = value;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Gets the wire name of a proposal's source: "rule", "model", "command", "revert" or "external".</summary>
    public static string Source(ProposalSource source) => source switch
    {
        ProposalSource.Rule => "rule",
        ProposalSource.Model => "model",
        ProposalSource.Command => "command",
        ProposalSource.Revert => "revert",
        ProposalSource.External => "external",
        _ => source.ToString().ToLowerInvariant(),
    };

    /// <summary>Gets the wire name of an outcome's verdict: "helped", "no_effect" or "hurt".</summary>
    public static string Verdict(ProposalVerdict verdict) => verdict switch
    {
        ProposalVerdict.Helped => "helped",
        ProposalVerdict.NoEffect => "no_effect",
        ProposalVerdict.Hurt => "hurt",
        _ => verdict.ToString().ToLowerInvariant(),
    };

    /// <summary>Unix seconds with millisecond precision, as every TrainInsight document writes times.</summary>
    public static double UnixSeconds(DateTimeOffset timestamp) => timestamp.ToUnixTimeMilliseconds() / 1000.0;
}
