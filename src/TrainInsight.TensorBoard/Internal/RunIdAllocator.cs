using System.Globalization;

namespace TrainInsight.TensorBoard.Internal;

/// <summary>
/// Gives each run folder of a log directory its run id: the relative path with '/' as '.', and anything else a run id
/// cannot hold as '-'. Ids are stable (the same path gets the same id on every machine and every start) and unique (a
/// second path mapping to an id already taken gets a hash suffix).
/// </summary>
internal sealed class RunIdAllocator(string logDirectory)
{
    private readonly Dictionary<string, string> _runOfId = new(StringComparer.Ordinal);

    /// <summary>The id of <paramref name="run"/> (a relative folder path, "." for the directory itself), made unique.</summary>
    public string Allocate(string run)
    {
        var id = IdOf(run);
        if (_runOfId.TryGetValue(id, out var owner) && owner != run)
        {
            id = $"{(id.Length > 119 ? id[..119] : id)}-{StableHash(run):x8}";
        }

        _runOfId[id] = run;
        return id;
    }

    /// <summary>The run's id before uniqueness: its relative path with '/' as '.', at most 128 characters.</summary>
    public string IdOf(string run)
    {
        var source = run == "." ? Path.GetFileName(logDirectory.TrimEnd(Path.DirectorySeparatorChar)) : run;
        var id = string.Concat(source.Select(c => c == '/' ? '.' : char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));
        if (id.Length == 0)
        {
            id = "tensorboard";
        }

        return id.Length <= 128 ? id : id[..119] + "-" + StableHash(source).ToString("x8", CultureInfo.InvariantCulture);
    }

    /// <summary>FNV-1a over the UTF-16 code units: the same on every run and every machine (unlike string.GetHashCode).</summary>
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
