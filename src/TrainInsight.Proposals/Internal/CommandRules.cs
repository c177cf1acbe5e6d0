using System.Globalization;
using TrainInsight.Wire;

namespace TrainInsight.Proposals.Internal;

/// <summary>What a proposal's commands mean: validation, the title, whether they change training, what supersedes what.</summary>
internal static class CommandRules
{
    /// <summary>Throws <see cref="ArgumentException"/> for a command a trainer would reject for its argument alone.</summary>
    public static void Validate(IReadOnlyList<FixCommand> commands)
    {
        for (var i = 0; i < commands.Count; i++)
        {
            var c = commands[i];
            var problem = c.Action switch
            {
                ControlAction.SetLearningRate when c.Value is not (> 0 and <= ControlCommand.MaxLearningRate) =>
                    $"set_learning_rate needs a value greater than 0 and at most 10; got {Text(c.Value)}.",
                ControlAction.SetWeightDecay when c.Value is not (>= 0 and <= ControlCommand.MaxWeightDecay) =>
                    $"set_weight_decay needs a value from 0 to 1; got {Text(c.Value)}.",
                ControlAction.SetEarlyStopping when c.Value is not { } v || v < 0 || v > ControlCommand.MaxEarlyStoppingPatience || v != Math.Floor(v) =>
                    $"set_early_stopping needs a whole number from 0 to 10,000; got {Text(c.Value)}.",
                ControlAction.RestoreCheckpoint when c.Path is null => "restore_checkpoint needs the checkpoint's path.",
                ControlAction.Pause or ControlAction.Resume or ControlAction.Stop or ControlAction.SaveCheckpoint or ControlAction.Evaluate or ControlAction.RestoreCheckpoint
                    when c.Value is not null => $"{Name(c.Action)} takes no value; got {Text(c.Value)}.",
                _ => null,
            };
            if (problem is not null)
            {
                throw new ArgumentException($"Command {i + 1}: {problem}", nameof(commands));
            }
        }
    }

    /// <summary>Whether the commands change what training computes (so a checkpoint comes first and the outcome is measured).</summary>
    public static bool ChangesTraining(IReadOnlyList<FixCommand> commands) =>
        commands.Any(c => c.Action is ControlAction.SetLearningRate or ControlAction.SetWeightDecay or ControlAction.RestoreCheckpoint);

    /// <summary>The hyperparameter names the commands set (for the values kept before applying them).</summary>
    public static IEnumerable<string> ChangedParameters(IReadOnlyList<FixCommand> commands)
    {
        foreach (var c in commands)
        {
            if (c.Action == ControlAction.SetLearningRate)
            {
                yield return MetricNames.LearningRate;
            }
            else if (c.Action == ControlAction.SetWeightDecay)
            {
                yield return HyperparameterNames.WeightDecay;
            }
            else if (c.Action == ControlAction.RestoreCheckpoint)
            {
                yield return MetricNames.LearningRate;
            }
        }
    }

    /// <summary>Whether a newer proposal makes an older pending one moot: both set the same thing.</summary>
    public static bool Supersedes(IReadOnlyList<FixCommand> newer, IReadOnlyList<FixCommand> older)
    {
        static IEnumerable<ControlAction> Setters(IReadOnlyList<FixCommand> commands) =>
            commands.Select(c => c.Action).Where(a => a is ControlAction.SetLearningRate or ControlAction.SetWeightDecay or ControlAction.SetEarlyStopping or ControlAction.RestoreCheckpoint);
        return Setters(newer).Intersect(Setters(older)).Any();
    }

    public static bool SameCommands(IReadOnlyList<FixCommand> a, IReadOnlyList<FixCommand> b) =>
        a.Count == b.Count && a.Zip(b).All(p => p.First.Action == p.Second.Action && Nullable.Equals(p.First.Value, p.Second.Value)
            && string.Equals(p.First.Path, p.Second.Path, StringComparison.Ordinal));

    /// <summary>A one-line title: "Set the learning rate to 0.001 (now 0.01), then stop".</summary>
    public static string Title(IReadOnlyList<FixCommand> commands, IReadOnlyDictionary<string, double> current)
    {
        var parts = commands.Select(c => Describe(c, current)).ToArray();
        var text = string.Join(", then ", parts);
        return char.ToUpperInvariant(text[0]) + text[1..];
    }

    public static string Describe(FixCommand c, IReadOnlyDictionary<string, double> current) => c.Action switch
    {
        ControlAction.Pause => "pause the run",
        ControlAction.Resume => "resume the run",
        ControlAction.Stop => "stop the run",
        ControlAction.SaveCheckpoint => "save a checkpoint",
        ControlAction.Evaluate => "run the validation now",
        ControlAction.SetLearningRate => $"set the learning rate to {Text(c.Value)}{Now(current, MetricNames.LearningRate, c.Value)}",
        ControlAction.SetWeightDecay => $"set the weight decay to {Text(c.Value)}{Now(current, HyperparameterNames.WeightDecay, c.Value)}",
        ControlAction.SetEarlyStopping => c.Value == 0 ? "turn early stopping off" : $"set the early-stopping patience to {Text(c.Value)} epochs",
        ControlAction.RestoreCheckpoint => $"restore the checkpoint '{c.Path}'",
        _ => Name(c.Action),
    };

    private static string Now(IReadOnlyDictionary<string, double> current, string name, double? value)
    {
        if (!current.TryGetValue(name, out var now) || value is not { } v || now <= 0)
        {
            return "";
        }

        var ratio = v / now;
        var factor = ratio >= 1 ? $"×{Text(ratio)}" : $"÷{Text(1 / ratio)}";
        return $" (now {Text(now)}, {factor})";
    }

    public static string Name(ControlAction action) => WireNames.Action(action);

    public static string Text(double? value) => value is { } v ? v.ToString("G4", CultureInfo.InvariantCulture) : "no value";
}
