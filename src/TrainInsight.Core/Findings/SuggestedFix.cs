namespace TrainInsight;

/// <summary>
/// One way to fix what a <see cref="FindingEvent"/> found: a live action the run's control channel can apply, with its
/// computed argument, or a change to the training code, each with a one-line rationale. Nothing applies it by itself.
/// </summary>
public sealed class SuggestedFix
{
    private static readonly IReadOnlyList<FixCommand> s_none = [];

    /// <summary>Initializes a new instance of the <see cref="SuggestedFix"/> class.</summary>
    /// <param name="id">
    /// A stable, machine-readable id of the kind of fix, in snake case (<c>lower_learning_rate</c>, <c>call_zero_grad</c>).
    /// </param>
    /// <param name="kind">Whether it is live or a code change.</param>
    /// <param name="title">What to do, as one imperative line with the numbers (for example "Set the learning rate to 0.0001 (0.001 × 0.1)").</param>
    /// <param name="rationale">Why it helps, in one line.</param>
    /// <param name="commands">For <see cref="FixKind.LiveAction"/>, the commands in the order to submit them (at least one); for a code change, none.</param>
    /// <exception cref="ArgumentException">A text is empty, or the commands do not match the kind.</exception>
    public SuggestedFix(string id, FixKind kind, string title, string rationale, IReadOnlyList<FixCommand>? commands = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(rationale);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown fix kind.");
        }

        commands ??= s_none;
        if (kind == FixKind.LiveAction && commands.Count == 0)
        {
            throw new ArgumentException("A live fix needs at least one command.", nameof(commands));
        }

        if (kind == FixKind.CodeChange && commands.Count > 0)
        {
            throw new ArgumentException("A code change carries no commands.", nameof(commands));
        }

        foreach (var command in commands)
        {
            ArgumentNullException.ThrowIfNull(command, nameof(commands));
        }

        Id = id;
        Kind = kind;
        Title = title;
        Rationale = rationale;
        Commands = commands;
    }

    /// <summary>Gets the stable id of the kind of fix (<c>lower_learning_rate</c>, <c>early_stop</c>, <c>call_zero_grad</c>).</summary>
    public string Id { get; }

    /// <summary>Gets whether the fix is live or a code change.</summary>
    public FixKind Kind { get; }

    /// <summary>Gets what to do, as one line with the numbers.</summary>
    public string Title { get; }

    /// <summary>Gets why it helps, in one line.</summary>
    public string Rationale { get; }

    /// <summary>Gets the commands that apply a live fix, in order; empty for a code change.</summary>
    public IReadOnlyList<FixCommand> Commands { get; }
}
