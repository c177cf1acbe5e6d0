namespace TrainInsight.DiagnosisBenchmark;

/// <summary>The command line: a command, then <c>--name value</c> options (and <c>--flag</c> switches).</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Arguments(string command) => Command = command;

    public string Command { get; }

    public static Arguments Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-'))
        {
            throw new UsageException("Give a command: generate, score, fix, all or advice.");
        }

        var result = new Arguments(args[0]);
        for (var i = 1; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"Unexpected argument '{args[i]}'.");
            }

            var name = args[i][2..];
            string? value = null;
            if (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                value = args[++i];
            }

            result._options[name] = value;
        }

        return result;
    }

    public string? Get(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value ?? throw new UsageException($"--{name} needs a value.") : null;
    }

    /// <summary>The names (without <c>--</c>) of the options given that start with <paramref name="prefix"/>, in no particular order.</summary>
    public IReadOnlyList<string> NamesStartingWith(string prefix) => [.. _options.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal))];

    public string Require(string name) => Get(name) ?? throw new UsageException($"--{name} is required.");

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public int Int(string name, int fallback) => Get(name) is { } text
        ? int.TryParse(text, out var value) && value > 0 ? value : throw new UsageException($"--{name} must be a positive whole number.")
        : fallback;

    public IReadOnlyList<string>? List(string name) =>
        Get(name) is { } text ? text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null;

    /// <summary>Fails on options no command asked for (typos).</summary>
    public void RejectUnknown()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new UsageException($"Unknown option(s): {string.Join(", ", unknown.Select(u => "--" + u))}.");
        }
    }
}
