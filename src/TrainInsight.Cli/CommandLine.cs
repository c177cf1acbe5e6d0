using System.Globalization;
using TrainInsight.Cli.Commands;

namespace TrainInsight.Cli;

/// <summary>
/// Parses the command line and runs a command. Exit codes: 0 done, 1 failed, 2 bad usage; <c>tb diagnose</c> has its own
/// (<see cref="DiagnoseCommand"/>: 0 healthy, 1 warning, 2 critical, 64 bad usage, 66 no input, 74 read failure).
/// </summary>
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
          traininsight tb serve <logdir> [--urls URLS] [--map TAG=METRIC]... [--poll-interval MS] [--llm PROVIDER ...]
              Tail <logdir> and serve its runs live: GET /api/stream/metrics (SSE), /ws/metrics (WebSocket),
              /api/runs, /api/metrics/current ... (default --urls http://127.0.0.1:5000). --map publishes a tag under
              another metric name (e.g. --map Loss/train=train_loss). The runs are diagnosed live, and the assistant
              answers at POST /api/assistant/analyze, /suggest, /diagnose and /chat (docs/assistant.md), from the
              model chosen with the --llm options below, or from the rules without one. Ctrl+C stops.
        The model options of tb serve:
        """ + Llm.ChatClientSettings.Usage + """

          traininsight tb diagnose <logdir> [--format text|json]
              Read every run under <logdir> (offline, as it is now) and diagnose it: divergence, overfitting,
              learning rate too high or too low, plateaus, exploding gradients ... Sibling runs ending in train and
              validation (Keras' logs/train and logs/validation) are diagnosed together and reported on the train run.
              Prints each run's findings (severity, label, steps, confidence, message, evidence, fixes) and the labels
              it could not judge with the signals they need; --format json prints one JSON document instead.
              Exit codes: 0 no finding of warning or worse, 1 a warning (no critical), 2 a critical finding
              (open or resolved), 64 bad usage, 66 <logdir> does not exist or holds no event files,
              74 an event file could not be read.
          traininsight --help

        Exit codes of export and serve: 0 done, 1 failed (missing directory, unwritable output), 2 bad usage.
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
                        var (logdir, options) = Parse(args.Skip(2).ToList(), ["--urls", "--poll-interval", "--llm", "--llm-model", "--llm-endpoint", "--llm-key", "--llm-gguf"], ["--map"]);
                        var llm = Llm.ChatClientSettings.FromEnvironment();
                        try
                        {
                            foreach (var (name, values) in options.Where(o => o.Key.StartsWith("--llm", StringComparison.Ordinal)))
                            {
                                llm.TryParse(name, () => values.Single());
                            }
                        }
                        catch (FormatException ex)
                        {
                            throw new UsageException(ex.Message);
                        }

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
                        return await ServeCommand.RunAsync(logdir, urls, maps, poll, llm, stdout, stderr, cancellationToken).ConfigureAwait(false);
                    }

                case "diagnose":
                    {
                        var (logdir, options) = Parse(args.Skip(2).ToList(), ["--format"], []);
                        var format = options.GetValueOrDefault("--format")?.Single() ?? "text";
                        if (format is not ("text" or "json"))
                        {
                            throw new UsageException($"--format must be text or json, not '{format}'.");
                        }

                        return await DiagnoseCommand.RunAsync(logdir, format == "json", stdout, stderr, cancellationToken).ConfigureAwait(false);
                    }

                default:
                    throw new UsageException($"Unknown command 'tb {args[1]}'.");
            }
        }
        catch (UsageException ex)
        {
            await stderr.WriteLineAsync($"error: {ex.Message} Run 'traininsight --help' for usage.").ConfigureAwait(false);

            // 2 means "critical finding" to diagnose, so its usage errors are sysexits' EX_USAGE.
            return args is ["tb", "diagnose", ..] ? DiagnoseCommand.Usage : Usage;
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
