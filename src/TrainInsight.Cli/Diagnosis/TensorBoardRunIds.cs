using System.Globalization;

namespace TrainInsight.Cli.Diagnosis;

/// <summary>
/// The run ids <c>tb serve</c> (the tailer) gives a log directory's runs, so that <c>tb diagnose</c> names them alike: the
/// folder's relative path with '/' as '.' and anything a run id cannot hold as '-' ("." is the log directory's own name); a
/// second path that maps to an id already taken, and a path over 128 characters, get a stable hash suffix.
/// </summary>
internal sealed class TensorBoardRunIds(string logDirectory)
{
    private const int MaxLength = 128;
    private readonly string _logDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(logDirectory));
    private readonly Dictionary<string, string> _runOfId = new(StringComparer.Ordinal);

    /// <summary>Gets the run's name: its path, or the log directory's own name for ".".</summary>
    /// <param name="run">A relative folder path with '/' separators, "." for the log directory itself.</param>
    /// <returns>The name.</returns>
    public string NameOf(string run) => run == "." ? Path.GetFileName(_logDirectory) is { Length: > 0 } name ? name : run : run;

    /// <summary>Gets the id of <paramref name="run"/>, made unique among the ids handed out so far.</summary>
    /// <param name="run">A relative folder path with '/' separators, "." for the log directory itself.</param>
    /// <returns>The run id.</returns>
    public string Allocate(string run)
    {
        var source = run == "." ? Path.GetFileName(_logDirectory) : run;
        var id = string.Concat(source.Select(c => c == '/' ? '.' : char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));
        if (id.Length == 0)
        {
            id = "tensorboard";
        }

        if (id.Length > MaxLength)
        {
            id = id[..119] + "-" + StableHash(source).ToString("x8", CultureInfo.InvariantCulture);
        }

        if (_runOfId.TryGetValue(id, out var owner) && owner != run)
        {
            id = string.Create(CultureInfo.InvariantCulture, $"{(id.Length > 119 ? id[..119] : id)}-{StableHash(run):x8}");
        }

        _runOfId[id] = run;
        return id;
    }

    /// <summary>FNV-1a over the UTF-16 code units: the same on every machine and every start.</summary>
    private static uint StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
