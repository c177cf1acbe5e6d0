using System.Globalization;
using System.Text.Json;
using TrainInsight.Llm.Internal.Context;

namespace TrainInsight.Llm.Internal.Suggestions;

/// <summary>
/// Reads the model's suggestion JSON leniently and validates every suggestion against the run: what can be repaired
/// (a percentage confidence, a numeric string, a parameter alias, a wrong current value, missing priorities) is repaired and
/// reported; what cannot (an unknown parameter, no rationale, an impossible value, no change) is dropped with its reason.
/// </summary>
internal static class SuggestionValidator
{
    private static readonly Dictionary<string, string> s_aliases = new(StringComparer.Ordinal)
    {
        ["lr"] = HyperparameterNames.LearningRate,
        ["learningrate"] = HyperparameterNames.LearningRate,
        ["initial_learning_rate"] = HyperparameterNames.LearningRate,
        ["wd"] = HyperparameterNames.WeightDecay,
        ["l2"] = HyperparameterNames.WeightDecay,
        ["batchsize"] = HyperparameterNames.BatchSize,
        ["batch"] = HyperparameterNames.BatchSize,
        ["patience"] = "early_stopping_patience",
        ["early_stopping"] = "early_stopping_patience",
        ["gradient_clipping"] = "gradient_clip_norm",
        ["grad_clip"] = "gradient_clip_norm",
        ["clip_grad_norm"] = "gradient_clip_norm",
        ["max_grad_norm"] = "gradient_clip_norm",
        ["warmup"] = HyperparameterNames.WarmupSteps,
        ["lr_scheduler"] = HyperparameterNames.LearningRateSchedule,
        ["scheduler"] = HyperparameterNames.LearningRateSchedule,
    };

    /// <summary>Parameters the assistant knows even when the run does not report them.</summary>
    public static readonly IReadOnlySet<string> KnownParameters = new HashSet<string>(StringComparer.Ordinal)
    {
        HyperparameterNames.LearningRate, HyperparameterNames.WeightDecay, HyperparameterNames.BatchSize, HyperparameterNames.Momentum,
        HyperparameterNames.Epochs, HyperparameterNames.WarmupSteps, HyperparameterNames.LearningRateSchedule, HyperparameterNames.Optimizer,
        HyperparameterNames.Augmentation, HyperparameterNames.Shuffle, "dropout", "gradient_clip_norm", "early_stopping_patience",
        "label_smoothing", "beta1", "beta2", "eps", "mixup_alpha",
    };

    public static SuggestionResult Validate(string? text, RunData data, int max)
    {
        var repairs = new List<string>();
        var rejections = new List<string>();
        if (!TryParse(text, repairs, out var items, out var summary, out var error))
        {
            return new SuggestionResult([], summary, repairs, rejections, error);
        }

        var known = new HashSet<string>(KnownParameters, StringComparer.Ordinal);
        known.UnionWith(data.Run.Hyperparameters.Keys.Select(Normalize));
        foreach (var finding in data.Findings)
        {
            known.UnionWith(finding.Fixes.Select(f => f.Id));
        }

        var accepted = new List<(HyperparameterSuggestion Suggestion, int Order)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var label = $"suggestion {i + 1}";
            var raw = item.Parameter.Trim();
            if (string.IsNullOrEmpty(raw))
            {
                rejections.Add($"{label}: no parameter");
                continue;
            }

            var parameter = Normalize(raw);
            if (s_aliases.TryGetValue(parameter, out var alias))
            {
                parameter = alias;
            }

            if (!string.Equals(parameter, raw, StringComparison.Ordinal))
            {
                repairs.Add($"{label}: parameter '{Cut(raw, 40)}' read as {parameter}");
            }

            label = $"suggestion {i + 1} ({parameter})";
            if (!known.Contains(parameter))
            {
                rejections.Add($"{label}: '{Cut(raw, 40)}' is neither a hyperparameter of this run nor a known one");
                continue;
            }

            if (!seen.Add(parameter))
            {
                rejections.Add($"{label}: a second suggestion for the same parameter");
                continue;
            }

            if (string.IsNullOrWhiteSpace(item.Rationale) || string.IsNullOrWhiteSpace(item.ExpectedEffect))
            {
                rejections.Add($"{label}: no {(string.IsNullOrWhiteSpace(item.Rationale) ? "rationale" : "expected effect")}");
                continue;
            }

            if (item.ProposedValue is { } proposed && Range(parameter, proposed) is { } problem)
            {
                rejections.Add($"{label}: proposed value {F(proposed)} {problem}");
                continue;
            }

            var current = item.CurrentValue is { } given && double.IsFinite(given) ? given : (double?)null;
            var actual = parameter == HyperparameterNames.LearningRate ? data.LearningRate
                : data.Run.Hyperparameters.TryGetValue(parameter, out var hp) && hp.Kind == HyperparameterKind.Number && double.IsFinite(hp.Number) ? hp.Number : (double?)null;
            if (actual is { } a && (current is not { } c || Math.Abs(c - a) > 1e-9 * Math.Max(1, Math.Abs(a))))
            {
                repairs.Add($"{label}: current value {(current is { } cv ? F(cv) : "missing")} corrected to {F(a)}, what the run reports");
                current = a;
            }

            if (item.ProposedValue is { } p && current is { } now && Math.Abs(p - now) <= 1e-12 * Math.Max(1, Math.Abs(now)))
            {
                rejections.Add($"{label}: proposes no change ({F(p)})");
                continue;
            }

            var confidence = item.Confidence;
            if (confidence is null)
            {
                repairs.Add($"{label}: no confidence, 0.5 assumed");
                confidence = 0.5;
            }
            else if (confidence is > 1 and <= 100)
            {
                repairs.Add($"{label}: confidence {F(confidence.Value)} read as a percentage");
                confidence /= 100;
            }
            else if (confidence is < 0 or > 100 || double.IsNaN(confidence.Value))
            {
                rejections.Add($"{label}: confidence {F(confidence.Value)} is not between 0 and 1");
                continue;
            }

            accepted.Add((new HyperparameterSuggestion(parameter, Cut(item.Rationale.Trim(), 1_000), Cut(item.ExpectedEffect.Trim(), 1_000))
            {
                CurrentValue = current,
                ProposedValue = item.ProposedValue,
                Confidence = Math.Round(confidence.Value, 3),
                Commands = Command(parameter, item.ProposedValue) is { } command ? [command] : [],
                FindingId = data.Findings.FirstOrDefault(f => f.Fixes.Any(x => Rules.RuleSuggestions.Parameter(x) == parameter))?.FindingId,
            }, item.Priority ?? int.MaxValue));
        }

        var ordered = accepted.OrderBy(a => a.Order).ThenBy(a => accepted.IndexOf(a)).Select(a => a.Suggestion).ToList();
        if (accepted.Any(a => a.Order == int.MaxValue) || accepted.Select(a => a.Order).Distinct().Count() != accepted.Count)
        {
            repairs.Add("priorities missing or repeated: ranked in the order given");
        }

        if (ordered.Count > max)
        {
            repairs.Add($"{ordered.Count - max} suggestion(s) beyond the {max} asked for dropped");
            ordered = ordered[..max];
        }

        IReadOnlyList<HyperparameterSuggestion> ranked = [.. ordered.Select((s, i) => Rank(s, i + 1))];
        return new SuggestionResult(ranked, summary, repairs, rejections, null);
    }

    /// <summary>The live command that applies a suggestion, for the parameters a run can change while it trains.</summary>
    public static FixCommand? Command(string parameter, double? value) => value is not { } v ? null : parameter switch
    {
        HyperparameterNames.LearningRate => new FixCommand(ControlAction.SetLearningRate, v),
        HyperparameterNames.WeightDecay => new FixCommand(ControlAction.SetWeightDecay, v),
        "early_stopping_patience" => new FixCommand(ControlAction.SetEarlyStopping, v),
        _ => null,
    };

    private static HyperparameterSuggestion Rank(HyperparameterSuggestion s, int priority) => new(s.Parameter, s.Rationale, s.ExpectedEffect)
    {
        CurrentValue = s.CurrentValue,
        ProposedValue = s.ProposedValue,
        Confidence = s.Confidence,
        Commands = s.Commands,
        FindingId = s.FindingId,
        Priority = priority,
    };

    private static string? Range(string parameter, double value)
    {
        if (!double.IsFinite(value))
        {
            return "is not finite";
        }

        return parameter switch
        {
            HyperparameterNames.LearningRate when value is <= 0 or > 10 => "is not in (0, 10]",
            HyperparameterNames.WeightDecay when value is < 0 or > 1 => "is not in [0, 1]",
            HyperparameterNames.Momentum when value is < 0 or >= 1 => "is not in [0, 1)",
            "dropout" or "label_smoothing" when value is < 0 or >= 1 => "is not in [0, 1)",
            HyperparameterNames.BatchSize or HyperparameterNames.Epochs or HyperparameterNames.WarmupSteps or "early_stopping_patience"
                when value < (parameter == HyperparameterNames.WarmupSteps ? 0 : 1) || value != Math.Floor(value) || value > 1e7 => "is not a positive whole number",
            "gradient_clip_norm" when value <= 0 => "is not positive",
            _ => null,
        };
    }

    private static bool TryParse(string? text, List<string> repairs, out List<SuggestionItem> items, out string? summary, out string? error)
    {
        items = [];
        summary = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            error = "the model returned no text";
            return false;
        }

        var json = text.Trim();
        if (json.StartsWith("```", StringComparison.Ordinal))
        {
            var firstLine = json.IndexOf('\n', StringComparison.Ordinal);
            var end = json.LastIndexOf("```", StringComparison.Ordinal);
            json = firstLine > 0 && end > firstLine ? json[(firstLine + 1)..end] : json.Trim('`');
            repairs.Add("the JSON came inside a code fence");
        }

        var start = json.IndexOf('{', StringComparison.Ordinal);
        var stop = json.LastIndexOf('}');
        if (start < 0 || stop < start)
        {
            error = $"the model's answer is not JSON (it begins \"{Cut(text.Trim(), 60)}\")";
            return false;
        }

        if (start > 0 || stop < json.Length - 1)
        {
            repairs.Add("text around the JSON object ignored");
            json = json[start..(stop + 1)];
        }

        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var root = document.RootElement;
            if (root.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String)
            {
                summary = s.GetString();
            }

            if (!root.TryGetProperty("suggestions", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                error = list.ValueKind == JsonValueKind.Null ? "its \"suggestions\" was null, not an array" : "the JSON has no \"suggestions\" array";
                return false;
            }

            foreach (var element in list.EnumerateArray())
            {
                if (element.ValueKind != JsonValueKind.Object)
                {
                    items.Add(new SuggestionItem());
                    continue;
                }

                items.Add(new SuggestionItem
                {
                    Parameter = String(element, "parameter") ?? string.Empty,
                    CurrentValue = Number(element, "current_value", repairs),
                    ProposedValue = Number(element, "proposed_value", repairs),
                    Rationale = String(element, "rationale") ?? string.Empty,
                    ExpectedEffect = String(element, "expected_effect") ?? string.Empty,
                    Priority = Number(element, "priority", repairs) is { } p && p is >= 1 and <= 1000 ? (int)p : null,
                    Confidence = Number(element, "confidence", repairs),
                });
            }

            return true;
        }
        catch (JsonException ex)
        {
            error = $"the model's JSON is malformed ({ex.Message})";
            return false;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        } : null;

    private static double? Number(JsonElement element, string name, List<string> repairs)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.Number:
                return value.GetDouble();
            case JsonValueKind.String when double.TryParse(value.GetString()?.Trim().TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                repairs.Add($"{name} \"{Cut(value.GetString()!, 20)}\" read as the number {F(parsed)}");
                return parsed;
            default:
                return null;
        }
    }

    private static string Normalize(string name)
    {
        var chars = name.Trim().ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        return string.Join('_', new string(chars).Split('_', StringSplitOptions.RemoveEmptyEntries));
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..max] + "…";

    private static string F(double value) => RunContextBuilder.F(value);
}
