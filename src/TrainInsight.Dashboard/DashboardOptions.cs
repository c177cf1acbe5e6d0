namespace TrainInsight.Dashboard;

/// <summary>Options of the dashboard page mapped by <c>MapTrainInsightDashboard</c>.</summary>
public sealed class DashboardOptions
{
    /// <summary>The most points per metric <see cref="HistoryPointsPerMetric"/> may ask for (the history endpoint's <c>max_points</c> limit).</summary>
    public const int MaxHistoryPointsPerMetric = 100_000;

    /// <summary>
    /// Gets or sets the prefix the TrainInsight endpoints were mapped under: the <c>prefix</c> given to <c>MapTrainInsight</c>,
    /// such as "/traininsight". It must start with '/' and not end with '/', or be empty. The default is "" (the endpoints at
    /// the application's root, as <c>MapTrainInsight()</c> maps them).
    /// </summary>
    public string ApiPrefix
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value.Length == 0 || (value.StartsWith('/') && !value.EndsWith('/') && IsPath(value))
                ? value
                : throw new ArgumentException($"ApiPrefix must be empty or start with '/' and not end with '/', for example \"/traininsight\"; got '{value}'.", nameof(value));
        }
    } = string.Empty;

    /// <summary>Gets or sets the page's title, 1 to 100 characters. The default is "TrainInsight".</summary>
    public string Title
    {
        get;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            field = value.Trim().Length is >= 1 and <= 100
                ? value.Trim()
                : throw new ArgumentException("Title must have 1 to 100 characters.", nameof(value));
        }
    } = "TrainInsight";

    /// <summary>
    /// Gets or sets how many points of each metric the page loads from a run's history when it opens it (downsampled on the
    /// server, keeping each interval's minimum and maximum so spikes survive). From 100 to
    /// <see cref="MaxHistoryPointsPerMetric"/>. The default is 2,000.
    /// </summary>
    public int HistoryPointsPerMetric
    {
        get;
        set => field = value is >= 100 and <= MaxHistoryPointsPerMetric
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"HistoryPointsPerMetric must be between 100 and {MaxHistoryPointsPerMetric:N0}.");
    } = 2_000;

    /// <summary>
    /// Gets or sets how many steps a chart holds before the page thins its older part (keeping each interval's minimum and
    /// maximum), so that a long live run keeps drawing fast. From 1,000 to 1,000,000. The default is 10,000.
    /// </summary>
    public int LivePointsPerChart
    {
        get;
        set => field = value is >= 1_000 and <= 1_000_000
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "LivePointsPerChart must be between 1,000 and 1,000,000.");
    } = 10_000;

    private static bool IsPath(string value) =>
        value.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '-' or '_' or '.' or '~') && !value.Contains("//", StringComparison.Ordinal);
}
