namespace TrainInsight;

/// <summary>
/// Describes one training run: its identity and the facts about it that every event of the run shares.
/// </summary>
/// <remarks>
/// One instance is created per run and referenced by every event the run publishes, so events carry the
/// run's description without copying it.
/// </remarks>
public sealed class RunDescriptor
{
    /// <summary>The most hyperparameters a run may carry: 256.</summary>
    public const int MaxHyperparameters = 256;

    /// <summary>The longest hyperparameter name: 256 characters.</summary>
    public const int MaxHyperparameterNameLength = 256;

    private static readonly IReadOnlyDictionary<string, HyperparameterValue> s_noHyperparameters =
        new Dictionary<string, HyperparameterValue>(StringComparer.Ordinal);

    private readonly IReadOnlyDictionary<string, HyperparameterValue> _hyperparameters = s_noHyperparameters;

    /// <summary>Initializes a new instance of the <see cref="RunDescriptor"/> class.</summary>
    /// <param name="id">The run identifier; letters, digits, '-', '_' and '.' only, at most 128 characters.</param>
    /// <exception cref="ArgumentException"><paramref name="id"/> is empty, too long or contains other characters.</exception>
    public RunDescriptor(string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (!IsValidId(id))
        {
            throw new ArgumentException(
                $"Run id '{id}' is invalid: use 1 to 128 letters, digits, '-', '_' or '.'.", nameof(id));
        }

        Id = id;
        Name = id;
    }

    /// <summary>Gets the run identifier, unique among the runs of a host.</summary>
    public string Id { get; }

    /// <summary>Gets or initializes a human-readable name. The default is <see cref="Id"/>.</summary>
    public string Name { get; init; }

    /// <summary>Gets or initializes the model's name (for example "SmallCnn"), or <see langword="null"/> when unknown.</summary>
    public string? ModelName { get; init; }

    /// <summary>Gets or initializes the number of trainable parameters, or <see langword="null"/> when unknown.</summary>
    public long? ParameterCount { get; init; }

    /// <summary>Gets or initializes the planned number of epochs, or <see langword="null"/> when unknown.</summary>
    public int? TotalEpochs { get; init; }

    /// <summary>Gets or initializes the number of optimizer steps per epoch, or <see langword="null"/> when unknown.</summary>
    public int? StepsPerEpoch { get; init; }

    /// <summary>Gets or initializes the time the run started. The default is the time the descriptor was created.</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// Gets or initializes the run's hyperparameters: the optimizer, learning rate and schedule, batch size, weight decay,
    /// augmentation, seed and whatever else the trainer wants recorded (<see cref="HyperparameterNames"/> has the common
    /// names). They travel with the run: on the stream's <c>run_started</c> event, in the store, through ingest and on
    /// <c>GET /api/runs/{id}</c>. At most <see cref="MaxHyperparameters"/>, each named with 1 to
    /// <see cref="MaxHyperparameterNameLength"/> characters; the descriptor keeps its own copy. The default is empty.
    /// </summary>
    /// <exception cref="ArgumentException">Too many hyperparameters, or a name that is empty or too long.</exception>
    public IReadOnlyDictionary<string, HyperparameterValue> Hyperparameters
    {
        get => _hyperparameters;
        init => _hyperparameters = CopyHyperparameters(value);
    }

    /// <summary>Creates a descriptor with a new unique id derived from <paramref name="name"/>.</summary>
    /// <param name="name">A human-readable name; characters not allowed in ids are replaced by '-'.</param>
    /// <returns>A descriptor whose <see cref="Name"/> is <paramref name="name"/>.</returns>
    public static RunDescriptor Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var slug = new string(name.Select(c => IsIdChar(c) ? c : '-').Take(80).ToArray());
        var id = $"{slug}-{DateTimeOffset.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        return new RunDescriptor(id) { Name = name };
    }

    /// <summary>Returns whether <paramref name="id"/> is a valid run id.</summary>
    /// <param name="id">The candidate id.</param>
    /// <returns><see langword="true"/> when the id is 1 to 128 letters, digits, '-', '_' or '.'.</returns>
    public static bool IsValidId(string? id) =>
        !string.IsNullOrEmpty(id) && id.Length <= 128 && id.All(IsIdChar);

    private static IReadOnlyDictionary<string, HyperparameterValue> CopyHyperparameters(IReadOnlyDictionary<string, HyperparameterValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return s_noHyperparameters;
        }

        if (values.Count > MaxHyperparameters)
        {
            throw new ArgumentException($"A run may carry at most {MaxHyperparameters:N0} hyperparameters; got {values.Count:N0}.", nameof(values));
        }

        var copy = new Dictionary<string, HyperparameterValue>(values.Count, StringComparer.Ordinal);
        foreach (var (name, value) in values)
        {
            if (string.IsNullOrEmpty(name) || name.Length > MaxHyperparameterNameLength)
            {
                throw new ArgumentException($"A hyperparameter name must have 1 to {MaxHyperparameterNameLength:N0} characters; got {(name ?? string.Empty).Length:N0}.", nameof(values));
            }

            copy[name] = value;
        }

        return copy;
    }

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.';
}
