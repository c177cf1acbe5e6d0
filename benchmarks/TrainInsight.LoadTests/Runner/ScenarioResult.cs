using System.Globalization;

namespace TrainInsight.LoadTests.Runner;

/// <summary>What the two child processes reported for one scenario, as their key=value pairs.</summary>
internal sealed record ScenarioResult(
    Scenario Scenario,
    Dictionary<string, string> RoundTrip,
    Dictionary<string, string> Connected,
    Dictionary<string, string> RssIdle,
    Dictionary<string, string> RssLoaded,
    Dictionary<string, string> Published,
    Dictionary<string, string> Clients)
{
    public static double Number(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : double.NaN;

    public double P50Ms => Number(Clients, "p50_ms");

    public double P99Ms => Number(Clients, "p99_ms");

    public double RoundTripUs => Number(RoundTrip, "median_us");

    public double OpenConnections => Number(RssLoaded, "subscribers");

    /// <summary>Gets the server's RSS growth per open connection, both measured after full GCs.</summary>
    public double RssPerConnectionBytes => (Number(RssLoaded, "bytes") - Number(RssIdle, "bytes")) / OpenConnections;
}
