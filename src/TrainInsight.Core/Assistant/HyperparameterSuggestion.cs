namespace TrainInsight;

/// <summary>
/// One suggested change to a run's training: the parameter, its current and proposed value, why, what it should do, its
/// rank and the confidence in it, and the control command that applies it live where one exists.
/// </summary>
public sealed class HyperparameterSuggestion
{
    private readonly double _confidence;
    private readonly int _priority = 1;
    private readonly IReadOnlyList<FixCommand> _commands = [];
    private readonly double? _currentValue;
    private readonly double? _proposedValue;

    /// <summary>Initializes a new instance of the <see cref="HyperparameterSuggestion"/> class.</summary>
    /// <param name="parameter">
    /// What to change, in snake case: a hyperparameter (<c>learning_rate</c>, <c>weight_decay</c>, <c>batch_size</c>,
    /// <c>early_stopping_patience</c>, <c>gradient_clip_norm</c>) or, for a change with no single value, the fix's id
    /// (<c>call_zero_grad</c>, <c>normalize_inputs</c>).
    /// </param>
    /// <param name="rationale">Why, with the numbers from the run behind it.</param>
    /// <param name="expectedEffect">What should happen, and how soon, if it is applied.</param>
    /// <exception cref="ArgumentException">A text is empty or white space.</exception>
    public HyperparameterSuggestion(string parameter, string rationale, string expectedEffect)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parameter);
        ArgumentException.ThrowIfNullOrWhiteSpace(rationale);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedEffect);
        Parameter = parameter;
        Rationale = rationale;
        ExpectedEffect = expectedEffect;
    }

    /// <summary>Gets what to change.</summary>
    public string Parameter { get; }

    /// <summary>Gets the parameter's current value, or <see langword="null"/> when it is unknown or has no single value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public double? CurrentValue
    {
        get => _currentValue;
        init => _currentValue = Finite(value);
    }

    /// <summary>Gets the proposed value, or <see langword="null"/> when the change has no single value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    public double? ProposedValue
    {
        get => _proposedValue;
        init => _proposedValue = Finite(value);
    }

    /// <summary>Gets why, with the numbers behind it.</summary>
    public string Rationale { get; }

    /// <summary>Gets what should happen if it is applied.</summary>
    public string ExpectedEffect { get; }

    /// <summary>Gets the rank: 1 is the first to try. At least 1. The default is 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Priority
    {
        get => _priority;
        init => _priority = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Priority must be at least 1.");
    }

    /// <summary>Gets the confidence that it helps, between 0 and 1. The default is 0.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not between 0 and 1.</exception>
    public double Confidence
    {
        get => _confidence;
        init => _confidence = value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "Confidence must be between 0 and 1.");
    }

    /// <summary>
    /// Gets the control commands that apply the change to the running job, in order (for example
    /// <see cref="ControlAction.SetLearningRate"/> with the proposed value); empty when it needs a code change and a restart.
    /// </summary>
    /// <exception cref="ArgumentException">The value holds a <see langword="null"/> command.</exception>
    public IReadOnlyList<FixCommand> Commands
    {
        get => _commands;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            _commands = value.Any(c => c is null) ? throw new ArgumentException("A suggestion's commands cannot be null.", nameof(value)) : [.. value];
        }
    }

    private static double? Finite(double? value, [System.Runtime.CompilerServices.CallerMemberName] string name = "") =>
        value is { } v && !double.IsFinite(v) ? throw new ArgumentOutOfRangeException(name, value, "A suggestion's values must be finite.") : value;

    /// <summary>Gets the diagnosis's finding the suggestion answers, or <see langword="null"/>.</summary>
    public string? FindingId { get; init; }
}
