using System.Globalization;
using TrainInsight.Llm.Internal.Rules;

namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>
/// Reads an answer's ranked suggestions: for the rules' answers, which diagnosis fix each came from (the assistant's own
/// walk over the findings' fixes, replayed); for every answer, which way each moves its parameter.
/// </summary>
internal static class SuggestionReader
{
    /// <summary>Parameters a run that does not report them has at 0 (so any value, or turning them on, raises them).</summary>
    private static readonly HashSet<string> s_zeroByDefault = new(StringComparer.Ordinal)
    {
        HyperparameterNames.WeightDecay, "dropout", "label_smoothing", "mixup_alpha", HyperparameterNames.WarmupSteps,
    };

    /// <summary>The direction a fix implies when its suggestion carries no numbers.</summary>
    private static readonly Dictionary<string, Direction> s_fixDirection = new(StringComparer.Ordinal)
    {
        ["lower_learning_rate"] = Direction.Down,
        ["restart_lower_learning_rate"] = Direction.Down,
        ["raise_learning_rate"] = Direction.Up,
        // "Add warm-up and a decaying schedule so that the rate starts lower and falls" / "StepLR, cosine or ReduceLROnPlateau".
        ["use_schedule"] = Direction.Down,
        ["learning_rate_finder"] = Direction.Change,
        ["set_weight_decay"] = Direction.Up,
        ["regularise"] = Direction.Up,
        ["label_smoothing"] = Direction.Up,
        ["larger_batch"] = Direction.Up,
        ["warmup"] = Direction.Up,
        ["clip_gradients"] = Direction.Change,
    };

    public static IReadOnlyList<ReadSuggestion> Read(AssistantAnswer answer, RunDescriptor run)
    {
        var fromRules = answer.Source == AssistantSource.Rules;
        var emitted = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<ReadSuggestion>();
        foreach (var s in answer.Suggestions.OrderBy(s => s.Priority))
        {
            var finding = s.FindingId is null ? null : answer.Findings.FirstOrDefault(f => string.Equals(f.FindingId, s.FindingId, StringComparison.Ordinal));
            string? fixId = null;
            if (fromRules && finding is not null)
            {
                // RuleSuggestions.From walks each finding's fixes in order, skipping a (parameter, fix id) it has emitted:
                // the first not-yet-emitted fix of this finding with this parameter and these commands is the one.
                var candidates = finding.Fixes
                    .Where(f => string.Equals(RuleSuggestions.Parameter(f), s.Parameter, StringComparison.Ordinal) && !emitted.Contains(s.Parameter + "/" + f.Id))
                    .ToList();
                var fix = candidates.FirstOrDefault(f => SameCommands(f.Commands, s.Commands)) ?? candidates.FirstOrDefault();
                if (fix is not null)
                {
                    fixId = fix.Id;
                    emitted.Add(s.Parameter + "/" + fix.Id);
                }
            }

            var (direction, from) = DirectionOf(s, fixId, run);
            result.Add(new ReadSuggestion(
                s.Priority,
                s.Parameter,
                fixId,
                finding?.Label,
                s.CurrentValue,
                s.ProposedValue,
                direction,
                from,
                [.. s.Commands.Select(c => c.Value is { } v ? $"{Snake(c.Action)}={v.ToString("G4", CultureInfo.InvariantCulture)}" : Snake(c.Action))],
                s.Confidence));
        }

        return result;
    }

    private static (Direction Direction, string From) DirectionOf(HyperparameterSuggestion s, string? fixId, RunDescriptor run)
    {
        if (s.ProposedValue is { } proposed && s.CurrentValue is { } current)
        {
            return (proposed < current ? Direction.Down : proposed > current ? Direction.Up : Direction.Unknown, "values");
        }

        var reported = run.Hyperparameters.ContainsKey(s.Parameter);
        if (s.ProposedValue is { } value && !reported)
        {
            if (s_zeroByDefault.Contains(s.Parameter))
            {
                return (value > 0 ? Direction.Up : Direction.Unknown, "implicit default 0");
            }

            if (s.Parameter == "gradient_clip_norm")
            {
                return (Direction.Down, "implicit default ∞ (no clipping)");
            }
        }

        if (fixId is not null && s_fixDirection.TryGetValue(fixId, out var implied))
        {
            return (implied, "fix id");
        }

        if (s.ProposedValue is null && !reported && s_zeroByDefault.Contains(s.Parameter))
        {
            return (Direction.Up, "implicit default 0 (turned on)");
        }

        return fixId is not null || s.Commands.Any(c => c.Action is ControlAction.Stop or ControlAction.SaveCheckpoint)
            ? (Direction.Change, "fix id")
            : (Direction.Unknown, "none");
    }

    private static bool SameCommands(IReadOnlyList<FixCommand> a, IReadOnlyList<FixCommand> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Action == p.Second.Action && Nullable.Equals(p.First.Value, p.Second.Value));

    private static string Snake(ControlAction action)
    {
        var name = action.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }
}
