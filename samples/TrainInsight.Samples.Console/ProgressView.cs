using Spectre.Console;

namespace TrainInsight.Samples.Console;

/// <summary>Renders training progress from the TrainInsight bus: the sample dogfoods its own telemetry.</summary>
internal static class ProgressView
{
    public static async Task ShowAsync(ITelemetrySubscription subscription, long totalSteps, Task training)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            // Redirected output (CI, pipes): one plain line per epoch instead of a live bar.
            await foreach (var item in ReadUntilFinished(subscription, training))
            {
                if (Describe(item) is { } line)
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
                await foreach (var item in ReadUntilFinished(subscription, training))
                {
                    switch (item)
                    {
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

    private static async IAsyncEnumerable<TrainInsightEvent> ReadUntilFinished(ITelemetrySubscription subscription, Task training)
    {
        var reader = subscription.Reader;
        while (true)
        {
            while (reader.TryRead(out var item))
            {
                yield return item;
                if (item is TrainingEvent { Kind: TrainingEventKind.RunFinished })
                {
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
