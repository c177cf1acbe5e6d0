using Spectre.Console;

namespace TrainInsight.Samples.Console;

/// <summary>Renders training progress from the TrainInsight bus: the sample dogfoods its own telemetry.</summary>
internal static class ProgressView
{
    /// <summary>How long the view keeps reading after the run finished, for the findings its last steps caused.</summary>
    private static readonly TimeSpan s_findingsGrace = TimeSpan.FromMilliseconds(300);

    public static async Task ShowAsync(ITelemetrySubscription subscription, long totalSteps, Task training, bool diagnostics)
    {
        var findings = new FindingLines();
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output (CI, pipes): one plain line per epoch and per finding raised or resolved instead of a live bar.
            await foreach (var item in ReadUntilFinished(subscription, training, diagnostics))
            {
                if ((item is FindingEvent finding ? findings.Describe(finding) : Describe(item)) is { } line)
                {
                    AnsiConsole.WriteLine(line);
                }
            }

            return;
        }

        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("starting", maxValue: totalSteps);
                await foreach (var item in ReadUntilFinished(subscription, training, diagnostics))
                {
                    switch (item)
                    {
                        case FindingEvent finding when findings.Describe(finding) is { } line:
                            var colour = finding.State == FindingState.Resolved ? "green"
                                : finding.Severity switch { FindingSeverity.Critical => "red", FindingSeverity.Warning => "yellow", _ => "grey" };
                            AnsiConsole.MarkupLine($"[{colour}]{Markup.Escape(line)}[/]");
                            break;
                        case MetricEvent metrics when metrics.Values.TryGetValue(MetricNames.TrainLoss, out var loss):
                            task.Value = metrics.Step;
                            var accuracy = metrics.Values.TryGetValue(MetricNames.TrainAccuracy, out var a) ? $" acc {a:P1}" : string.Empty;
                            var speed = metrics.Values.TryGetValue(MetricNames.SamplesPerSecond, out var s) ? $" {s:N0} img/s" : string.Empty;
                            task.Description = Markup.Escape($"epoch {metrics.Epoch}/{metrics.Run.TotalEpochs} loss {loss:F4}{accuracy}{speed}");
                            break;
                        case TrainingEvent training when Describe(training) is { } line:
                            AnsiConsole.MarkupLine(Markup.Escape(line));
                            if (training.Kind == TrainingEventKind.RunFinished)
                            {
                                task.StopTask();
                            }

                            break;
                    }
                }
            });
    }

    /// <summary>
    /// One line for the run's findings at the end: the open warnings and critical ones with their first fix, or that there
    /// are none.
    /// </summary>
    public static string DescribeFindings(IReadOnlyList<FindingEvent> findings)
    {
        var open = findings.Where(f => f.State == FindingState.Open && f.Severity >= FindingSeverity.Warning)
            .OrderByDescending(f => f.Severity).ToList();
        return open.Count == 0
            ? $"diagnosis: no open warning or critical finding ({findings.Count} {(findings.Count == 1 ? "finding" : "findings")} in all)"
            : $"diagnosis: {open.Count} open at the end: " + string.Join("; ", open.Select(f => string.Create(
                System.Globalization.CultureInfo.InvariantCulture,
                $"{f.Severity.ToString().ToUpperInvariant()} {f.Label} since step {f.FirstStep}{(f.Fixes.Count > 0 ? " (fix: " + f.Fixes[0].Title + ")" : string.Empty)}")));
    }

    private static async IAsyncEnumerable<TrainInsightEvent> ReadUntilFinished(ITelemetrySubscription subscription, Task training, bool diagnostics)
    {
        var reader = subscription.Reader;
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                yield return item;
                if (item is TrainingEvent { Kind: TrainingEventKind.RunFinished })
                {
                    if (diagnostics)
                    {
                        // The diagnosis reads the bus beside this view: findings from the last steps may come just after.
                        var deadline = DateTime.UtcNow + (10 * s_findingsGrace);
                        while (DateTime.UtcNow < deadline && await WaitAsync(reader, s_findingsGrace))
                        {
                            while (reader.TryRead(out var late))
                            {
                                if (late is FindingEvent)
                                {
                                    yield return late;
                                }
                            }
                        }
                    }

                    yield break;
                }
            }

            if (training.IsCompleted && !reader.TryPeek(out _))
            {
                // A trainer that failed before publishing RunFinished must not hang the view.
                await Task.Delay(200);
                if (!reader.TryPeek(out _))
                {
                    yield break;
                }
            }

            var wait = reader.WaitToReadAsync().AsTask();
            await Task.WhenAny(wait, Task.Delay(500));
        }
    }

    /// <summary>Whether something can be read within <paramref name="timeout"/>.</summary>
    private static async Task<bool> WaitAsync(System.Threading.Channels.ChannelReader<TrainInsightEvent> reader, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            return await reader.WaitToReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static string? Describe(TrainInsightEvent item) => item switch
    {
        TrainingEvent { Kind: TrainingEventKind.EpochCompleted } e => string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"epoch {e.Epoch} done: train loss {Get(e, MetricNames.TrainLoss)}  test loss {Get(e, MetricNames.ValLoss)}  test accuracy {Get(e, MetricNames.ValAccuracy)}"),
        TrainingEvent { Kind: TrainingEventKind.ControlApplied } e =>
            $"control: {SnakeCase(e.Command?.Action.ToString())} {e.ControlStatus?.ToString().ToLowerInvariant()}{(e.Message is null ? string.Empty : " - " + e.Message)}",
        TrainingEvent { Kind: TrainingEventKind.RunFinished } e => $"run {e.State?.ToString().ToLowerInvariant()} at step {e.Step:N0}",
        _ => null,
    };

    private static string Get(TrainingEvent e, string name) =>
        e.Metrics.TryGetValue(name, out var value) ? value.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "-";

    /// <summary>The action as it is written on the wire: SaveCheckpoint → save_checkpoint.</summary>
    private static string SnakeCase(string? name) =>
        name is null ? string.Empty : string.Concat(name.Select((c, i) => char.IsUpper(c) ? (i == 0 ? string.Empty : "_") + char.ToLowerInvariant(c) : c.ToString()));
}
