namespace TrainInsight.LoadTests;

/// <summary>
/// How the runner talks to its two child processes: commands are lines on the child's stdin, results are lines on its
/// stdout starting with '@' (<c>@key name=value …</c>); anything else a child prints is a log line.
/// </summary>
internal static class LineProtocol
{
    public static void Reply(string key, string pairs)
    {
        Console.Out.WriteLine($"@{key} {pairs}");
        Console.Out.Flush();
    }

    /// <summary>Reads the next command from stdin; null when the runner closed it (then the child must exit).</summary>
    public static async Task<string[]?> ReadCommandAsync()
    {
        var line = await Console.In.ReadLineAsync().ConfigureAwait(false);
        return line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Parses <c>@key a=1 b=2</c> into its key and pairs; null for log lines.</summary>
    public static (string Key, Dictionary<string, string> Values)? Parse(string line)
    {
        if (!line.StartsWith('@'))
        {
            return null;
        }

        var parts = line[1..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                values[part[..eq]] = part[(eq + 1)..];
            }
        }

        return (parts.Length > 0 ? parts[0] : "", values);
    }
}
