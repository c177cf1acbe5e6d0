using System.Text;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Control;

/// <summary>
/// Turns a chat message the grammar read as commands into proposals, one per understood clause, in order, and writes the
/// answer in the message's language: which proposals it made (id, what, the numbers), that each waits for a person's
/// approval, what it could not propose and why, and the parts it did not understand, quoted.
/// </summary>
internal static class CommandProposer
{
    public static async Task<(string Text, IReadOnlyList<ProposalEvent> Proposals)> RunAsync(
        ControlPlan plan, RunData data, ProposalGateway? gateway, bool zh, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var made = new List<ProposalEvent>();
        var notProposed = new List<string>();
        var understood = new List<string>();
        foreach (var clause in plan.Commands)
        {
            var (command, current, factor, problem) = Command(clause, data, zh);
            if (command is null)
            {
                notProposed.Add(problem!);
                continue;
            }

            var what = ControlText.Describe(command, current, factor, zh);
            understood.Add(what);
            if (gateway is null)
            {
                continue;
            }

            var request = new ProposalRequest(data.Run.Id, [command], ProposalSource.Command)
            {
                Title = ControlText.Title(command, current, factor),
                Rationale = "Asked for in a chat message: " + UntrustedText.Quote(clause.Text, 300) + ".",
                Actor = ProposalGateway.Actor,
            };
            var (proposal, error) = await gateway.ProposeAsync(request, cancellationToken).ConfigureAwait(false);
            if (proposal is null)
            {
                notProposed.Add(zh ? $"{what}：{error}" : $"{what}: {error}");
            }
            else
            {
                made.Add(proposal);
            }
        }

        var name = UntrustedText.Quote(data.Run.Name, 80);
        if (gateway is null)
        {
            text.AppendLine(zh
                ? $"此服务未启用提案（没有注册 IProposalService，例如 AddProposals()），因此没有提出任何提案，运行 {name} 保持不变。"
                : $"Proposals are not enabled here (no IProposalService is registered, for example with AddProposals()), so nothing was proposed and run {name} is unchanged.");
            if (understood.Count > 0)
            {
                text.Append(zh ? "已理解的指令：" : "What I understood: ").Append(string.Join(zh ? "；" : "; ", understood)).AppendLine(zh ? "。" : ".");
            }
        }
        else if (made.Count > 0)
        {
            text.AppendLine(zh
                ? $"已为运行 {name} 提出 {made.Count} 个提案。每个提案都要等人批准（{ControlText.ApprovePath("{id}")}）后才会生效，在此之前训练不会改变："
                : $"I made {made.Count} proposal{(made.Count == 1 ? "" : "s")} for run {name}. Each waits for a person to approve it ({ControlText.ApprovePath("{id}")}); nothing changes in training until then:");
            for (var i = 0; i < made.Count; i++)
            {
                var p = made[i];
                text.Append(i + 1).Append(". ").Append(p.ProposalId).Append(zh ? "：" : ": ").Append(Described(p, data, plan, zh))
                    .Append(zh ? "（" : " (").Append(ControlText.State(p, zh)).AppendLine(zh ? "）" : ")");
            }
        }
        else
        {
            text.AppendLine(zh ? $"没有为运行 {name} 提出任何提案。" : $"I made no proposal for run {name}.");
        }

        foreach (var problem in notProposed)
        {
            text.Append(zh ? "未提出：" : "Not proposed: ").Append(problem).AppendLine(zh ? "。" : ".");
        }

        var unknown = plan.NotUnderstood.ToList();
        if (unknown.Count > 0)
        {
            text.Append(zh ? "未理解：" : "Not understood: ")
                .Append(string.Join(zh ? "；" : "; ", unknown.Select(c => UntrustedText.Quote(c.Text, 120) + ((zh ? c.ProblemZh : c.Problem) is { } why ? (zh ? $"（{why}）" : $" ({why})") : ""))))
                .AppendLine(zh ? "。" : ".");
            text.AppendLine(zh
                ? "无模型时我能理解：暂停、恢复、停止、设定或缩放学习率（\"学习率设为0.001\"、\"学习率减半\"、\"学习率降低10倍\"）、保存检查点、评估。"
                : "Without a model I understand: pause, resume, stop, set or scale the learning rate (\"set lr to 1e-4\", \"halve the learning rate\", \"lower the lr by 10x\"), save a checkpoint, evaluate.");
        }

        return (text.ToString().TrimEnd(), made);
    }

    private static string Described(ProposalEvent proposal, RunData data, ControlPlan plan, bool zh)
    {
        // The proposal as made (the service may return an existing one): its commands, with the numbers.
        var parts = proposal.Commands.Select(c =>
        {
            var current = ControlText.Current(data, c.Action);
            var factor = plan.Commands.FirstOrDefault(k => k.Intent == ControlIntent.ScaleLearningRate && c.Action == ControlAction.SetLearningRate && current is { } lr && k.Factor is { } f && ControlText.Round(lr * f) == c.Value)?.Factor;
            return ControlText.Describe(c, current, factor, zh);
        });
        return string.Join(zh ? "，然后" : ", then ", parts);
    }

    private static (FixCommand? Command, double? Current, double? Factor, string? Problem) Command(ControlClause clause, RunData data, bool zh)
    {
        switch (clause.Intent)
        {
            case ControlIntent.Pause:
                return (new FixCommand(ControlAction.Pause), null, null, null);
            case ControlIntent.Resume:
                return (new FixCommand(ControlAction.Resume), null, null, null);
            case ControlIntent.Stop:
                return (new FixCommand(ControlAction.Stop), null, null, null);
            case ControlIntent.SaveCheckpoint:
                return (new FixCommand(ControlAction.SaveCheckpoint), null, null, null);
            case ControlIntent.Evaluate:
                return (new FixCommand(ControlAction.Evaluate), null, null, null);
            case ControlIntent.SetLearningRate:
                return (new FixCommand(ControlAction.SetLearningRate, clause.Value), ControlText.Current(data, ControlAction.SetLearningRate), null, null);
            case ControlIntent.ScaleLearningRate:
                var factor = clause.Factor!.Value;
                if (ControlText.Current(data, ControlAction.SetLearningRate) is not { } lr)
                {
                    var how = ControlText.Factor(factor);
                    return (null, null, null, zh
                        ? $"学习率 {how}：当前学习率未知（运行没有报告 {MetricNames.LearningRate}，也没有 {HyperparameterNames.LearningRate} 超参数），请直接给出数值，例如\"学习率设为0.001\""
                        : $"the learning rate {how}: the current learning rate is unknown (the run reported no {MetricNames.LearningRate} and has no {HyperparameterNames.LearningRate} hyperparameter); give the value instead, such as \"set the learning rate to 0.001\"");
                }

                var value = ControlText.Round(lr * factor);
                return value is > 0 and <= 10
                    ? (new FixCommand(ControlAction.SetLearningRate, value), lr, factor, null)
                    : (null, null, null, zh
                        ? $"学习率 {ControlText.F(lr)} {ControlText.Factor(factor)} = {ControlText.F(value)}，超出 (0, 10] 的范围"
                        : $"the learning rate {ControlText.F(lr)} {ControlText.Factor(factor)} = {ControlText.F(value)} is outside (0, 10]");
            default:
                return (null, null, null, clause.Text);
        }
    }
}
