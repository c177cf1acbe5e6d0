using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Rules;

/// <summary>Turns the diagnosis's typed fixes into ranked <see cref="HyperparameterSuggestion"/>s.</summary>
internal static class RuleSuggestions
{
    public static IReadOnlyList<HyperparameterSuggestion> From(RunData data, int max, bool chinese)
    {
        var result = new List<HyperparameterSuggestion>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var finding in data.Findings.Where(f => f.Severity >= FindingSeverity.Warning).Concat(data.Findings.Where(f => f.Severity < FindingSeverity.Warning)))
        {
            var rank = 0;
            foreach (var fix in finding.Fixes)
            {
                var parameter = Parameter(fix);
                if (!seen.Add(parameter + "/" + fix.Id))
                {
                    continue;
                }

                var command = fix.Commands.FirstOrDefault(c => c.Value is not null);
                var current = Current(data, parameter);
                var rationale = (chinese ? LabelText.Name(finding.Label, true) + "：" : "") + finding.Message + " " + fix.Rationale;
                result.Add(new HyperparameterSuggestion(parameter, rationale.Trim(), Capitalize(LabelText.Effect(finding.Label, chinese)))
                {
                    CurrentValue = current,
                    ProposedValue = command?.Value,
                    Commands = fix.Commands,
                    Confidence = Math.Round(Math.Clamp(finding.Confidence * Math.Pow(0.8, rank), 0, 1), 2),
                    FindingId = finding.FindingId,
                    Priority = result.Count + 1,
                });
                rank++;
                if (result.Count == max)
                {
                    return result;
                }
            }
        }

        return result;
    }

    /// <summary>The parameter a fix changes: a hyperparameter's name where it has one, else the fix's id.</summary>
    public static string Parameter(SuggestedFix fix) => fix.Id switch
    {
        "lower_learning_rate" or "raise_learning_rate" or "learning_rate_finder" or "use_schedule" => HyperparameterNames.LearningRate,
        "set_weight_decay" or "regularise" => HyperparameterNames.WeightDecay,
        "clip_gradients" => "gradient_clip_norm",
        "larger_batch" => HyperparameterNames.BatchSize,
        "warmup" => HyperparameterNames.WarmupSteps,
        "label_smoothing" => "label_smoothing",
        "shuffle_data" => HyperparameterNames.Shuffle,
        _ => fix.Id,
    };

    private static double? Current(RunData data, string parameter)
    {
        if (parameter == HyperparameterNames.LearningRate)
        {
            return data.LearningRate is { } rate && double.IsFinite(rate) ? rate : null;
        }

        return data.Run.Hyperparameters.TryGetValue(parameter, out var value) && value.Kind == HyperparameterKind.Number && double.IsFinite(value.Number) ? value.Number : null;
    }

    private static string Capitalize(string text) => text.Length > 0 && char.IsAsciiLetterLower(text[0]) ? char.ToUpperInvariant(text[0]) + text[1..] : text;
}
