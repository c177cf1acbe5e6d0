using System.Globalization;
using TrainInsight.Wire;

namespace TrainInsight.Llm.Internal.Control;

/// <summary>The words and numbers of control commands and proposals, in English and Chinese.</summary>
internal static class ControlText
{
    /// <summary>A number as answers show it: up to six significant digits, invariant (0.005, 1E-04 as 0.0001).</summary>
    public static string F(double value) =>
        value.ToString(Math.Abs(value) is 0 or (>= 1e-4 and < 1e6) ? "0.######" : "G6", CultureInfo.InvariantCulture);

    /// <summary>A computed value without binary noise (0.01 / 3 → 0.00333333333333).</summary>
    public static double Round(double value) => double.Parse(value.ToString("G12", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>A multiplier as a person says it: "÷ 2", "÷ 10", "× 2", "× 0.7".</summary>
    public static string Factor(double factor)
    {
        if (factor < 1 && Math.Abs((1 / factor) - Math.Round(1 / factor)) < 1e-9)
        {
            return "÷ " + F(Math.Round(1 / factor));
        }

        return "× " + F(factor);
    }

    /// <summary>What a command does, with its numbers: "set the learning rate: 0.01 → 0.005 (÷ 2)".</summary>
    public static string Describe(FixCommand command, double? current, double? factor, bool zh)
    {
        var value = command.Value is { } v ? F(v) : "?";
        var change = current is { } c ? $"{F(c)} → {value}" + (factor is { } f ? $" ({Factor(f)})" : "") : value;
        return command.Action switch
        {
            ControlAction.Pause => zh ? "暂停训练" : "pause the run",
            ControlAction.Resume => zh ? "恢复训练" : "resume the run",
            ControlAction.Stop => zh ? "停止训练" : "stop the run",
            ControlAction.SetLearningRate => zh ? $"调整学习率：{change}" : $"set the learning rate: {change}",
            ControlAction.SetWeightDecay => zh ? $"调整权重衰减：{change}" : $"set the weight decay: {change}",
            ControlAction.SaveCheckpoint => zh ? "保存检查点" : "save a checkpoint",
            ControlAction.Evaluate => zh ? "立即运行验证评估" : "evaluate now (run the validation)",
            ControlAction.SetEarlyStopping => zh ? $"将早停耐心设为 {value}" : $"set the early-stopping patience to {value}",
            ControlAction.RestoreCheckpoint => zh ? $"恢复检查点 {command.Path}" : $"restore the checkpoint {command.Path}",
            _ => WireNames.Action(command.Action),
        };
    }

    /// <summary>The proposal's one-line title (English, as stored): "Set the learning rate: 0.01 → 0.005 (÷ 2)".</summary>
    public static string Title(FixCommand command, double? current, double? factor)
    {
        var text = Describe(command, current, factor, zh: false);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    /// <summary>Where a proposal is, in words: "pending approval", "approved by the auto-apply policy".</summary>
    public static string State(ProposalEvent proposal, bool zh) => proposal.State switch
    {
        ProposalState.Pending => zh ? "等待批准" : "pending approval",
        ProposalState.Approved when proposal.AutoApplied => zh ? "已由自动应用策略批准" : "approved by the auto-apply policy",
        ProposalState.Approved => zh ? "已批准" : "approved",
        ProposalState.Applied => zh ? "已应用" : "applied",
        ProposalState.Failed => zh ? "失败" : "failed",
        ProposalState.Rejected => zh ? "已拒绝" : "rejected",
        ProposalState.Expired => zh ? "已过期" : "expired",
        _ => proposal.State.ToString().ToLowerInvariant(),
    };

    /// <summary>Where a person approves or rejects the proposal.</summary>
    public static string ApprovePath(string proposalId) => $"POST /api/proposals/{proposalId}/approve";

    /// <summary>The current value of the parameter a command sets, from the run's data, or <see langword="null"/>.</summary>
    public static double? Current(Context.RunData data, ControlAction action)
    {
        if (action == ControlAction.SetLearningRate)
        {
            return data.LearningRate is { } lr && double.IsFinite(lr) ? lr : null;
        }

        var name = action switch
        {
            ControlAction.SetWeightDecay => HyperparameterNames.WeightDecay,
            ControlAction.SetEarlyStopping => "early_stopping_patience",
            _ => null,
        };
        return name is not null && data.Run.Hyperparameters.TryGetValue(name, out var value) && value.Kind == HyperparameterKind.Number && double.IsFinite(value.Number)
            ? value.Number
            : null;
    }
}
