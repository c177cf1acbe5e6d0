using System.Globalization;
using TrainInsight.Cli.Commands;

namespace TrainInsight.Cli;

/// <summary>Parses the command line and runs a command. Exit codes: 0 done, 1 failed, 2 bad usage.</summary>
internal static class CommandLine
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    public const string Help = """
        traininsight - live, steerable training telemetry

        Usage:
          traininsight tb export <logdir> [--format jsonl|csv] [--output FILE]
              Print every scalar of every event file under <logdir>, one record per scalar:
              {"run":...,"tag":...,"step":...,"wall_time":...,"value":...} (jsonl, the default) or CSV with a header.
              The run is the folder relative to <logdir> ("." for <logdir> itself); NaN and infinities are written
              as "NaN", "Infinity" and "-Infinity".
          traininsight tb serve <logdir> [--urls URLS] [--map TAG=METRIC]... [--poll-interval MS]
              Tail <logdir> and serve its runs live: GET /api/stream/metrics (SSE), /ws/metrics (WebSocket),
              /api/runs, /api/metrics/current ... (default --urls http://127.0.0.1:5000). --map publishes a tag under
              another metric name (e.g. --map Loss/train=train_loss). Ctrl+C stops.
          traininsight --help
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Count == 0 || args[0] is "--help" or "-h" or "-?" or "help")
        {
            await stdout.WriteLineAsync(Help).ConfigureAwait(false);
            return args.Count == 0 ? Usage : Ok;
        }

        try
        {
            if (args[0] != "tb" || args.Count < 2)
            {
                throw new UsageException($"Unknown command '{string.Join(' ', args.Take(2))}'.");
            }

            switch (args[1])
            {
                case "export":
                    {
                        var (logdir, options) = Parse(args.Skip(2).ToList(), ["--format", "--output"], []);
                        var format = options.GetValueOrDefault("--format")?.Single() ?? "jsonl";
                        if (format is not ("jsonl" or "csv"))
                        {
                            throw new UsageException($"--format must be jsonl or csv, not '{format}'.");
                        }

                        var output = options.GetValueOrDefault("--output")?.Single();
                        return await ExportCommand.RunAsync(logdir, format, output, stdout, stderr, cancellationToken).ConfigureAwait(false);
                    }

                case "serve":
                    {
                        var (logdir, options) = Parse(args.Skip(2).ToList(), ["--urls", "--poll-interval"], ["--map"]);
                        var maps = new Dictionary<string, string>(StringComparer.Ordinal);
                        foreach (var map in options.GetValueOrDefault("--map") ?? [])
                        {
                            var equals = map.LastIndexOf('=');
                            if (equals <= 0 || equals == map.Length - 1)
                            {
                                throw new UsageException($"--map needs TAG=METRIC, not '{map}'.");
                            }

                            maps[map[..equals]] = map[(equals + 1)..];
                        }

                        TimeSpan? poll = null;
                        if (options.GetValueOrDefault("--poll-interval")?.Single() is { } pollText)
                        {
                            poll = int.TryParse(pollText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) && ms is >= 10 and <= 3_600_000
                                ? TimeSpan.FromMilliseconds(ms)
                                : throw new UsageException($"--poll-interval must be a number of milliseconds from 10 to 3,600,000, not '{pollText}'.");
                        }

                        var urls = options.GetValueOrDefault("--urls")?.Single() ?? "http://127.0.0.1:5000";
                        return await ServeCommand.RunAsync(logdir, urls, maps, poll, stdout, stderr, cancellationToken).ConfigureAwait(false);
                    }

                default:
                    throw new UsageException($"Unknown command 'tb {args[1]}'.");
            }
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message} Run 'traininsight --help' for usage.").ConfigureAwait(false);
            return Usage;
        }
    }

    /// <summary>One positional argument (the log directory) and options; <paramref name="single"/> options take one value, <paramref name="repeated"/> any number.</summary>
    private static (string Positional, Dictionary<string, List<string>> Options) Parse(List<string> args, string[] single, string[] repeated)
    {
        string? positional = null;
        var options = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var isSingle = single.Contains(arg);
                if (!isSingle && !repeated.Contains(arg))
                {
                    throw new UsageException($"Unknown option '{arg}'.");
                }

                if (i + 1 >= args.Count)
                {
                    throw new UsageException($"{arg} needs a value.");
                }

                if (isSingle && options.ContainsKey(arg))
                {
                    throw new UsageException($"{arg} was given twice.");
                }

                (options.TryGetValue(arg, out var list) ? list : options[arg] = []).Add(args[++i]);
            }
            else if (positional is null)
            {
                positional = arg;
            }
            else
            {
                throw new UsageException($"Unexpected argument '{arg}'.");
            }
        }

        return (positional ?? throw new UsageException("The log directory is missing."), options);
    }

    private sealed class UsageException(string message) : Exception(message);
}
