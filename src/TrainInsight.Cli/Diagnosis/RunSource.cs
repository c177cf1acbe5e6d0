using TrainInsight.TensorBoard;

namespace TrainInsight.Cli.Diagnosis;

/// <summary>One run of a log directory (a folder holding event files) and what reading it found.</summary>
internal sealed class RunSource
{
    private const int EventsPerBatch = 4_096;
    private readonly List<string> _notes = [];

    public RunSource(string path, RunDescriptor run, IReadOnlyList<string> files, RunSide side)
    {
        Path = path;
        Run = run;
        Files = files;
        Side = side;
    }

    /// <summary>Gets the folder relative to the log directory, '/'-separated ("." for the log directory itself).</summary>
    public string Path { get; }

    /// <summary>Gets the run the metric updates are published as.</summary>
    public RunDescriptor Run { get; }

    /// <summary>Gets the event files, in the order they are read.</summary>
    public IReadOnlyList<string> Files { get; }

    /// <summary>Gets whether the run is the training or the validation side of a pair, or a run of its own.</summary>
    public RunSide Side { get; }

    /// <summary>Gets how many metric updates (events with at least one scalar) were read.</summary>
    public long MetricUpdates { get; private set; }

    /// <summary>Gets how many scalars were read.</summary>
    public long Scalars { get; private set; }

    /// <summary>Gets how many records were skipped because their checksum did not match.</summary>
    public long CorruptRecords { get; private set; }

    /// <summary>Gets how many records were skipped because they are not events.</summary>
    public long UnreadableRecords { get; private set; }

    /// <summary>Gets notes on files that were left out, or partly left out.</summary>
    public IReadOnlyList<string> Notes => _notes;

    /// <summary>
    /// Reads the run's files in order, in batches (a large file never sits in memory at once), and yields one metric update
    /// per event that carries scalars: its step, its scalars by tag and its wall time.
    /// </summary>
    /// <returns>The updates, lazily.</returns>
    public IEnumerable<MetricEvent> ReadMetrics()
    {
        foreach (var file in Files)
        {
            TensorBoardEventFileReader reader;
            try
            {
                reader = new TensorBoardEventFileReader(file);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                _notes.Add($"'{file}' was deleted before it could be read; it was left out.");
                continue;
            }

            using (reader)
            {
                IReadOnlyList<TensorBoardEvent> batch;
                do
                {
                    batch = reader.ReadAvailable(EventsPerBatch);
                    foreach (var e in batch)
                    {
                        if (ToMetrics(e) is { } metrics)
                        {
                            yield return metrics;
                        }
                    }
                }
                while (batch.Count == EventsPerBatch);

                CorruptRecords += reader.CorruptRecords;
                UnreadableRecords += reader.UnreadableRecords;
                if (reader.HasPartialRecord)
                {
                    _notes.Add($"'{file}' ends with an incomplete record (still being written?); it was left out.");
                }
            }
        }
    }

    private MetricEvent? ToMetrics(TensorBoardEvent e)
    {
        Dictionary<string, double>? values = null;
        foreach (var value in e.Values)
        {
            if (value.Kind == TensorBoardValueKind.Scalar)
            {
                values ??= new Dictionary<string, double>(StringComparer.Ordinal);
                values[value.Tag] = value.Value;
            }
        }

        if (values is null)
        {
            return null;
        }

        MetricUpdates++;
        Scalars += values.Count;
        return new MetricEvent(Run, Math.Max(0, e.Step), values, WallTime(e.WallTime));
    }

    /// <summary>An event's wall time (Unix seconds) to the millisecond, or <see langword="null"/> when it is not a time.</summary>
    private static DateTimeOffset? WallTime(double seconds) =>
        double.IsFinite(seconds) && seconds > 0 && seconds < 253_402_300_799
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(seconds * 1000))
            : null;
}
