using System.Globalization;

namespace TrainInsight.LoadTests.Runner;

/// <summary>One load scenario: how many SSE clients, how fast the server publishes, for how long.</summary>
internal sealed record Scenario(string Name, int Connections, double EventsPerSecond, double Seconds)
{
    public string Title => string.Create(CultureInfo.InvariantCulture, $"{Connections:N0} SSE clients, {EventsPerSecond:G} event(s)/s");

    /// <summary>P3: 1,000 clients, 10 events/s. Goals: p99 ≤ 10 ms, p50 ≤ 20 × the loopback round trip.</summary>
    public static Scenario P3 { get; } = new("P3", 1_000, 10, 30);

    /// <summary>P4: 10,000 idle clients, 1 event/s. Goals: p99 ≤ 50 ms, ≤ 32 KB server RSS per connection.</summary>
    public static Scenario P4 { get; } = new("P4", 10_000, 1, 30);
}
