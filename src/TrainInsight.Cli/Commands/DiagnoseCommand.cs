using TrainInsight.Cli.Diagnosis;
using TrainInsight.Diagnostics;
using TrainInsight.TensorBoard;

namespace TrainInsight.Cli.Commands;

/// <summary>
/// <c>traininsight tb diagnose</c>: reads every run of a log directory offline, diagnoses it (train/validation pairs
/// together) and reports the findings. The exit code says how serious the worst finding is.
/// </summary>
internal static class DiagnoseCommand
{
    /// <summary>No finding is a warning or worse.</summary>
    public const int Healthy = 0;

    /// <summary>At least one finding is a warning, none is critical.</summary>
    public const int Warning = 1;

    /// <summary>At least one finding is critical.</summary>
    public const int Critical = 2;

    /// <summary>Bad arguments (sysexits' EX_USAGE): 2, the other commands' usage code, means "critical" here.</summary>
    public const int Usage = 64;

    /// <summary>The log directory does not exist, cannot be listed or holds no event files (EX_NOINPUT).</summary>
    public const int NoInput = 66;

    /// <summary>An event file could not be read (EX_IOERR).</summary>
    public const int ReadFailed = 74;

    public static async Task<int> RunAsync(string logdir, bool json, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(logdir);
        if (!Directory.Exists(fullPath))
        {
            await stderr.WriteLineAsync($"error: TensorBoard log directory '{fullPath}' does not exist.").ConfigureAwait(false);
            return NoInput;
        }

        IReadOnlyList<TensorBoardEventFile> files;
        try
        {
            files = TensorBoardLogDirectory.EnumerateEventFiles(fullPath);
        }
        catch (Exception ex) when (ex is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: cannot list '{fullPath}': {ex.Message}").ConfigureAwait(false);
            return NoInput;
        }

        if (files.Count == 0)
        {
            await stderr.WriteLineAsync($"error: '{fullPath}' holds no TensorBoard event files (no file name contains 'tfevents').").ConfigureAwait(false);
            return NoInput;
        }

        var options = new DiagnosticsOptions();
        var groups = Group(fullPath, files, options.Aliases);
        var reports = new List<RunReport>(groups.Count);
        var diagnoser = new TrainingDiagnoser(options);
        try
        {
            foreach (var group in groups)
            {
                foreach (var metrics in group.ReadInterleaved())
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    diagnoser.Observe(metrics);
                }

                // A pair is one diagnosis under each of its ids; a side that sent nothing is not among them.
                var seen = (group.Reported.MetricUpdates > 0 ? group.Reported : group.Members.FirstOrDefault(m => m.MetricUpdates > 0))?.Run.Id;
                reports.Add(seen is null
                    ? new RunReport(group, [], [])
                    : new RunReport(group, diagnoser.GetFindings(seen), diagnoser.GetCoverage(seen)));
                if (seen is not null)
                {
                    diagnoser.Forget(seen);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await stderr.WriteLineAsync($"error: cannot read the event files: {ex.Message}").ConfigureAwait(false);
            return ReadFailed;
        }

        foreach (var source in groups.SelectMany(g => g.Members))
        {
            foreach (var note in source.Notes)
            {
                await stderr.WriteLineAsync($"note: {note}").ConfigureAwait(false);
            }

            if (source.CorruptRecords > 0 || source.UnreadableRecords > 0)
            {
                await stderr.WriteLineAsync(FormattableString.Invariant(
                    $"note: run '{source.Path}': skipped {source.CorruptRecords:N0} corrupt records and {source.UnreadableRecords:N0} records that are not events.")).ConfigureAwait(false);
            }
        }

        var code = ExitCode(reports);
        if (json)
        {
            await JsonReport.WriteAsync(stdout, fullPath, files.Count, reports, code).ConfigureAwait(false);
        }
        else
        {
            await TextReport.WriteAsync(stdout, fullPath, files.Count, reports, code).ConfigureAwait(false);
        }

        await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
        return code;
    }

    /// <summary>The exit code for the worst finding of any run: open or resolved, a problem seen during the run counts.</summary>
    internal static int ExitCode(IEnumerable<RunReport> reports) => reports.Max(r => r.WorstSeverity) switch
    {
        FindingSeverity.Critical => Critical,
        FindingSeverity.Warning => Warning,
        _ => Healthy,
    };

    /// <summary>
    /// The log directory's runs, named as <c>tb serve</c> names them, grouped as the diagnosis pairs them: runs whose ids end
    /// in a training or validation suffix (<see cref="MetricAliases.TrainRunSuffixes"/>, <see cref="MetricAliases.ValidationRunSuffixes"/>)
    /// after the same prefix are one group.
    /// </summary>
    private static List<RunGroup> Group(string logdir, IReadOnlyList<TensorBoardEventFile> files, MetricAliases aliases)
    {
        var ids = new TensorBoardRunIds(logdir);
        var groups = new List<RunGroup>();
        var byKey = new Dictionary<string, RunGroup>(StringComparer.Ordinal);
        foreach (var run in files.GroupBy(f => f.Run, StringComparer.Ordinal))
        {
            var id = ids.Allocate(run.Key);
            var cut = id.LastIndexOfAny(['/', '.']);
            var last = cut >= 0 ? id[(cut + 1)..] : id;
            var side = aliases.ValidationRunSuffixes.Contains(last) ? RunSide.Validation
                : aliases.TrainRunSuffixes.Contains(last) ? RunSide.Train
                : RunSide.Single;
            var key = side == RunSide.Single ? "run\u0001" + id : "pair\u0001" + (cut >= 0 ? id[..cut] : string.Empty);
            if (!byKey.TryGetValue(key, out var group))
            {
                group = new RunGroup();
                byKey.Add(key, group);
                groups.Add(group);
            }

            group.Add(new RunSource(run.Key, new RunDescriptor(id) { Name = ids.NameOf(run.Key) }, [.. run.Select(f => f.Path)], side));
        }

        return groups;
    }
}
