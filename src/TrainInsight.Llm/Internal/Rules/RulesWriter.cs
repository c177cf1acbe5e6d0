using System.Globalization;
using System.Text;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Rules;

/// <summary>
/// Writes every operation's answer from the run's data and the diagnosis's findings alone, in English or Chinese: what the
/// assistant says when there is no model, or when the model failed.
/// </summary>
internal static class RulesWriter
{
    private static readonly string[] s_shown = [MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy, MetricNames.LearningRate, MetricNames.GradientNorm];

    public static string Analyze(RunData data, bool zh)
    {
        var text = new StringBuilder();
        text.AppendLine(Position(data, zh));
        foreach (var series in s_shown.Select(data.Find).OfType<SeriesSummary>())
        {
            text.Append("- ").AppendLine(MetricSentence(series, zh));
        }

        text.AppendLine(State(data, zh));
        AppendFindings(text, data, zh, withFixes: false);
        if (Warnings(data).FirstOrDefault() is { } top && top.Fixes.Count > 0)
        {
            text.Append(zh ? "建议首先：" : "First step: ").AppendLine(top.Fixes[0].Title + (zh ? "。" : "."));
        }

        return text.ToString().TrimEnd();
    }

    public static string Diagnose(RunData data, IReadOnlyList<HyperparameterSuggestion> fixes, bool zh)
    {
        var text = new StringBuilder();
        text.AppendLine(Position(data, zh));
        var warnings = Warnings(data).ToList();
        if (warnings.Count == 0)
        {
            text.AppendLine(zh ? "诊断未发现警告级别及以上的问题：训练正常。" : "The diagnosis found no problem of warning severity or worse: training is normal.");
            AppendFindings(text, data, zh, withFixes: false);
            return text.ToString().TrimEnd();
        }

        text.AppendLine(zh
            ? $"发现 {warnings.Count} 个问题，按严重程度排列，先处理第一个："
            : $"{warnings.Count} problem{(warnings.Count == 1 ? "" : "s")} found, most severe first; deal with the first one first:");
        var n = 1;
        foreach (var finding in warnings)
        {
            text.Append(CultureInfo.InvariantCulture, $"{n++}. ").AppendLine(FindingSentence(finding, zh));
            var step = 1;
            foreach (var fix in finding.Fixes.Take(3))
            {
                text.Append(CultureInfo.InvariantCulture, $"   {(zh ? "步骤" : "Step")} {step++}{(zh ? "：" : ": ")}{fix.Title} ({(fix.Kind == FixKind.LiveAction ? zh ? "可在线应用" : "can be applied live" : zh ? "需修改代码并重启" : "needs a code change and a restart")}). {fix.Rationale}").AppendLine();
            }

            text.Append(zh ? "   预期效果：" : "   Expected effect: ").AppendLine(LabelText.Effect(finding.Label, zh) + (zh ? "。" : "."));
        }

        if (fixes.Count > 0)
        {
            text.Append(zh ? "排名第一的修复：" : "Top-ranked fix: ").AppendLine(Describe(fixes[0], zh));
        }

        AppendFindings(text, data, zh, withFixes: false, belowWarningOnly: true);
        return text.ToString().TrimEnd();
    }

    public static string Suggest(RunData data, IReadOnlyList<HyperparameterSuggestion> suggestions, bool zh)
    {
        var text = new StringBuilder();
        text.AppendLine(Position(data, zh));
        if (suggestions.Count == 0)
        {
            text.AppendLine(Warnings(data).Any()
                ? zh ? "诊断发现了问题，但没有可给出的参数调整。" : "The diagnosis found problems but no parameter change to suggest for them."
                : zh ? "诊断未发现问题，目前无需调整超参数：训练正常。" : "The diagnosis found no problem, so no hyperparameter change is suggested now: training is normal.");
            return text.ToString().TrimEnd();
        }

        foreach (var s in suggestions)
        {
            text.Append(CultureInfo.InvariantCulture, $"{s.Priority}. ").AppendLine(Describe(s, zh));
            text.Append(zh ? "   理由：" : "   Why: ").AppendLine(s.Rationale);
            text.Append(zh ? "   预期效果：" : "   Expected effect: ").AppendLine(s.ExpectedEffect);
        }

        return text.ToString().TrimEnd();
    }

    /// <summary>
    /// Without a model the rules cannot hold a conversation: they answer the question's intent (suggestions, problems, or
    /// else the state of the run) and say so.
    /// </summary>
    public static string Chat(RunData data, string message, IReadOnlyList<HyperparameterSuggestion> suggestions, bool zh)
    {
        var m = message.ToLowerInvariant();
        string[] suggestWords = ["suggest", "recommend", "tune", "hyperparam", "learning rate", "should i", "建议", "调参", "优化", "学习率"];
        string[] diagnoseWords = ["diagnos", "problem", "wrong", "issue", "why", "nan", "diverg", "overfit", "问题", "诊断", "为什么", "异常", "过拟合"];
        var body = suggestWords.Any(w => m.Contains(w, StringComparison.Ordinal)) ? Suggest(data, suggestions, zh)
            : diagnoseWords.Any(w => m.Contains(w, StringComparison.Ordinal)) ? Diagnose(data, suggestions, zh)
            : Analyze(data, zh);
        return body;
    }

    public static string Describe(HyperparameterSuggestion s, bool zh)
    {
        var change = s.ProposedValue is { } proposed
            ? s.CurrentValue is { } current
                ? $"{s.Parameter}: {F(current)} → {F(proposed)}"
                : $"{s.Parameter} → {F(proposed)}"
            : s.Parameter;
        var live = s.Commands.Count > 0 ? zh ? "，可在线应用" : ", can be applied live" : zh ? "，需修改代码" : ", needs a code change";
        return string.Create(CultureInfo.InvariantCulture, $"{change} ({(zh ? "置信度" : "confidence")} {s.Confidence:0.##}{live})");
    }

    private static string Position(RunData data, bool zh)
    {
        var run = data.Run;
        var name = run.ModelName is null ? $"\"{run.Name}\"" : $"\"{run.Name}\" ({run.ModelName})";
        var state = State(data.State, zh);
        var where = new StringBuilder();
        if (data.Step is { } step)
        {
            where.Append(zh ? $"，第 {step} 步" : $" at step {step}");
        }

        if (data.Epoch is { } epoch)
        {
            where.Append(zh
                ? run.TotalEpochs is { } t ? $"，第 {epoch}/{t} 轮" : $"，第 {epoch} 轮"
                : run.TotalEpochs is { } total ? $", epoch {epoch} of {total}" : $", epoch {epoch}");
        }

        return zh ? $"运行 {name} {state}{where}。" : $"Run {name} is {state}{where}.";
    }

    private static string State(RunState state, bool zh) => state switch
    {
        RunState.Training => zh ? "正在训练" : "training",
        RunState.Paused => zh ? "已暂停" : "paused",
        RunState.Completed => zh ? "已完成" : "completed",
        RunState.Failed => zh ? "已失败" : "failed",
        RunState.Stopped => zh ? "已停止" : "stopped",
        RunState.Lost => zh ? "已失联" : "lost",
        _ => zh ? "状态未知" : state.ToString().ToLowerInvariant(),
    };

    private static string State(RunData data, bool zh)
    {
        var worst = Warnings(data).FirstOrDefault();
        var state = worst?.Label switch
        {
            null => zh ? "正常" : "normal",
            FindingLabels.Divergence or FindingLabels.ExplodingGradients or FindingLabels.LearningRateTooHigh or FindingLabels.MissingZeroGrad => zh ? "不稳定（发散风险）" : "unstable (diverging)",
            FindingLabels.Overfitting => zh ? "过拟合" : "overfitting",
            FindingLabels.Plateau or FindingLabels.LearningRateTooLow or FindingLabels.VanishingGradients or FindingLabels.DyingRelu or FindingLabels.SaturatedActivations => zh ? "欠拟合（学习停滞或过慢）" : "underfitting (learning stalled or too slow)",
            _ => zh ? "存在问题" : "impaired",
        };
        var because = worst is null ? "" : zh ? $"，依据：{LabelText.Name(worst.Label, true)}" : $", because of {LabelText.Name(worst.Label, false)}";
        return zh ? $"训练状态：{state}{because}。" : $"Training state: {state}{because}.";
    }

    private static string MetricSentence(SeriesSummary s, bool zh)
    {
        if (s.Count == 0)
        {
            return zh ? $"{s.Name}：全部 {s.NonFinite} 个值为非有限值（最后一个 {F(s.LastValue)}）" : $"{s.Name}: all {s.NonFinite} values non-finite (last {F(s.LastValue)})";
        }

        var text = new StringBuilder($"{s.Name} {F(s.LastValue)}");
        var better = RunContextBuilder.Better(s.Name);
        if (better != 0)
        {
            var best = better < 0 ? s.Min : s.Max;
            text.Append(zh ? $"（最佳 {F(best.Value)}，第 {best.Step} 步）" : $" (best {F(best.Value)} at step {best.Step})");
        }

        if (s.Trend() is { } trend)
        {
            var direction = trend.Direction switch
            {
                "falling" => zh ? "下降" : "falling",
                "rising" => zh ? "上升" : "rising",
                _ => zh ? "持平" : "flat",
            };
            var change = (trend.RelativeChange * 100).ToString("+0.#;-0.#;0", CultureInfo.InvariantCulture);
            text.Append(zh ? $"，最近 {trend.Points} 个点{direction} {change}%" : $", {direction} {change}% over the last {trend.Points} points");
        }

        if (s.NonFinite > 0)
        {
            text.Append(zh ? $"，{s.NonFinite} 个非有限值" : $", {s.NonFinite} non-finite");
        }

        return text.ToString();
    }

    private static void AppendFindings(StringBuilder text, RunData data, bool zh, bool withFixes, bool belowWarningOnly = false)
    {
        var findings = belowWarningOnly ? data.Findings.Where(f => f.Severity < FindingSeverity.Warning) : data.Findings;
        foreach (var finding in findings)
        {
            text.Append("- ").AppendLine(FindingSentence(finding, zh));
            if (withFixes)
            {
                foreach (var fix in finding.Fixes.Take(2))
                {
                    text.Append("  ").AppendLine(fix.Title);
                }
            }
        }
    }

    private static string FindingSentence(FindingEvent f, bool zh)
    {
        var severity = f.Severity switch
        {
            FindingSeverity.Critical => zh ? "严重" : "critical",
            FindingSeverity.Warning => zh ? "警告" : "warning",
            _ => zh ? "提示" : "info",
        };
        return zh
            ? string.Create(CultureInfo.InvariantCulture, $"[{severity}] {LabelText.Name(f.Label, true)}（置信度 {f.Confidence:0.##}，自第 {f.FirstStep} 步）：{f.Message}")
            : string.Create(CultureInfo.InvariantCulture, $"[{severity}] {LabelText.Name(f.Label, false)} (confidence {f.Confidence:0.##}, since step {f.FirstStep}): {f.Message}");
    }

    private static IEnumerable<FindingEvent> Warnings(RunData data) => data.Findings.Where(f => f.Severity >= FindingSeverity.Warning);

    private static string F(double value) => RunContextBuilder.F(value);
}
