using TrainInsight.Internal;

namespace TrainInsight.TensorBoard;

/// <summary>Settings of a <see cref="TensorBoardTailer"/>.</summary>
public sealed class TensorBoardTailerOptions
{
    private string _logDirectory = string.Empty;
    private TimeSpan _pollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the TensorBoard log directory to tail. Every folder below it that holds event files is a run, named
    /// by its path relative to this directory (<c>train</c>, <c>version_0/validation</c>; <c>.</c> for the directory
    /// itself). Required. The default is empty.
    /// </summary>
    public string LogDirectory
    {
        get => _logDirectory;
        set
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _logDirectory = value;
        }
    }

    /// <summary>
    /// Gets or sets how often the directory is scanned for new and grown files even when no file-system notification came
    /// (network and container file systems often send none). Between 10 ms and 1 hour. The default is 1 second.
    /// </summary>
    public TimeSpan PollInterval
    {
        get => _pollInterval;
        set => _pollInterval = OptionsGuard.InRange(value, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
    }

    /// <summary>
    /// Gets or sets whether a <see cref="FileSystemWatcher"/> wakes the tailer as soon as a file changes, so that a new
    /// record reaches the bus within milliseconds; polling continues as the fallback. The default is <see langword="true"/>.
    /// </summary>
    public bool WatchFileSystem { get; set; } = true;

    /// <summary>
    /// Gets the tag → metric-name mapping, for example <c>Loss/train</c> → <c>train_loss</c>, so that TrainInsight's rules and
    /// dashboards recognise a trainer's own tags. Tags not in the map keep their name. Ordinal, case-sensitive.
    /// The default is empty.
    /// </summary>
    public IDictionary<string, string> TagMap { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Adds (or replaces) a tag → metric-name mapping; see <see cref="TagMap"/>.</summary>
    /// <param name="tag">The TensorBoard tag.</param>
    /// <param name="metricName">The metric name it is published as.</param>
    /// <returns>These options.</returns>
    public TensorBoardTailerOptions MapTag(string tag, string metricName)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        ArgumentException.ThrowIfNullOrEmpty(metricName);
        TagMap[tag] = metricName;
        return this;
    }
}
