namespace TrainInsight;

/// <summary>What <see cref="IProposalService.ProposeAsync"/> is asked to propose.</summary>
public sealed class ProposalRequest
{
    /// <summary>The most commands one proposal may hold: 8.</summary>
    public const int MaxCommands = 8;

    /// <summary>The longest rationale or expected effect, in characters: 4,000.</summary>
    public const int MaxTextLength = 4_000;

    /// <summary>Initializes a new instance of the <see cref="ProposalRequest"/> class.</summary>
    /// <param name="runId">The run to steer.</param>
    /// <param name="commands">The commands, in order: from 1 to <see cref="MaxCommands"/>.</param>
    /// <param name="source">Who makes the proposal.</param>
    /// <exception cref="ArgumentException"><paramref name="runId"/> is empty, <paramref name="commands"/> is empty or too long, or <paramref name="source"/> is undefined.</exception>
    public ProposalRequest(string runId, IReadOnlyList<FixCommand> commands, ProposalSource source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runId);
        ArgumentNullException.ThrowIfNull(commands);
        if (commands.Count is 0 or > MaxCommands)
        {
            throw new ArgumentException($"A proposal holds from 1 to {MaxCommands} commands; {commands.Count} were given.", nameof(commands));
        }

        if (commands.Any(c => c is null))
        {
            throw new ArgumentException("A proposal's commands cannot be null.", nameof(commands));
        }

        if (!Enum.IsDefined(source))
        {
            throw new ArgumentOutOfRangeException(nameof(source), source, "Unknown proposal source.");
        }

        RunId = runId;
        Commands = [.. commands];
        Source = source;
    }

    /// <summary>Gets the run to steer.</summary>
    public string RunId { get; }

    /// <summary>Gets the commands, in order.</summary>
    public IReadOnlyList<FixCommand> Commands { get; }

    /// <summary>Gets who makes the proposal.</summary>
    public ProposalSource Source { get; }

    /// <summary>Gets or initializes the one-line title, or <see langword="null"/> to have one written from the commands. The default is <see langword="null"/>.</summary>
    public string? Title { get; init => field = Check(value, 200, nameof(Title)); }

    /// <summary>Gets or initializes why, with the numbers behind it (at most <see cref="MaxTextLength"/> characters), or <see langword="null"/>.</summary>
    public string? Rationale { get; init => field = Check(value, MaxTextLength, nameof(Rationale)); }

    /// <summary>Gets or initializes what it is expected to do (at most <see cref="MaxTextLength"/> characters), or <see langword="null"/>.</summary>
    public string? ExpectedEffect { get; init => field = Check(value, MaxTextLength, nameof(ExpectedEffect)); }

    /// <summary>Gets or initializes the finding it comes from, or <see langword="null"/>.</summary>
    public string? FindingId { get; init; }

    /// <summary>Gets or initializes the label of the finding it comes from, or <see langword="null"/>.</summary>
    public string? FindingLabel { get; init; }

    /// <summary>
    /// Gets or initializes the metric (lower is better) whose change is measured, or <see langword="null"/> for the default:
    /// <see cref="MetricNames.TrainLoss"/> for proposals that change a hyperparameter or restore a checkpoint, none otherwise.
    /// </summary>
    public string? TargetMetric { get; init; }

    /// <summary>Gets or initializes the proposal this one reverts, or <see langword="null"/>.</summary>
    public string? RevertOf { get; init; }

    /// <summary>Gets or initializes who makes it (a user name, "assistant"), recorded in the first revision's <see cref="ProposalEvent.Actor"/>.</summary>
    public string? Actor { get; init => field = Check(value, 200, nameof(Actor)); }

    private static string? Check(string? value, int max, string name) =>
        value is { Length: var n } && n > max
            ? throw new ArgumentException($"{name} is {n} characters long; the most is {max}.", name)
            : value;
}
