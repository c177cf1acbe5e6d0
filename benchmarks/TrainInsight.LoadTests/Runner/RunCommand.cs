namespace TrainInsight.LoadTests.Runner;

/// <summary>The <c>run</c> role: picks the scenarios, runs them one after the other and prints the report.</summary>
internal static class RunCommand
{
    public static async Task<int> RunAsync(Arguments options, string[] args)
    {
        var chosen = options.Text("scenario")?.ToUpperInvariant() ?? "ALL";
        var scenarios = chosen switch
        {
            "P3" => [Scenario.P3],
            "P4" => [Scenario.P4],
            "ALL" => new[] { Scenario.P3, Scenario.P4 },
            _ => throw new ArgumentException($"Unknown scenario '{chosen}'."),
        };
        if (scenarios.Length == 1)
        {
            var s = scenarios[0];
            scenarios[0] = s with
            {
                Connections = options.Int("connections", s.Connections),
                EventsPerSecond = options.Double("rate", s.EventsPerSecond),
                Seconds = options.Double("seconds", s.Seconds),
            };
        }

        var serverKind = options.Text("server-kind") ?? "traininsight";
        if (serverKind is not ("traininsight" or "raw"))
        {
            throw new ArgumentException($"Unknown server kind '{serverKind}'.");
        }

        var loadBefore = MarkdownReport.LoadAverage();
        var results = new List<ScenarioResult>();
        foreach (var scenario in scenarios)
        {
            results.Add(await ScenarioRunner.RunAsync(scenario, options.Int("source-addresses", 1), serverKind).ConfigureAwait(false));
        }

        var report = MarkdownReport.Format(results, serverKind, "eng/load-test.sh " + string.Join(' ', args.Skip(1)), loadBefore);
        Console.Out.Write(report);
        if (options.Text("out") is { } path)
        {
            await File.WriteAllTextAsync(path, report).ConfigureAwait(false);
        }

        return 0;
    }
}
