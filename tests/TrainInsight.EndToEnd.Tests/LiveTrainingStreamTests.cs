using System.Net;
using System.Net.ServerSentEvents;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Torch.Training;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>Real TorchSharp training, real Kestrel, real SSE and WebSocket clients.</summary>
public sealed class LiveTrainingStreamTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120);

    [FashionMnistFact]
    public async Task Sse_DuringRealTraining_StreamsMetricsWhoseLossFalls()
    {
        await using var host = await LiveTrainingHost.StartAsync(metricsInterval: 5);
        using var cts = new CancellationTokenSource(s_timeout);
        var items = new List<SseItem<JsonElement>>();
        var webSocketMessages = ReceiveWebSocketUntilFinishedAsync(host, cts.Token);
        var sse = Task.Run(async () =>
        {
            await foreach (var item in host.ReadSseAsync(lastEventId: null, cts.Token))
            {
                items.Add(item);
                if (IsRunFinished(item.Data))
                {
                    break;
                }
            }
        });

        // Both clients are live subscribers before the run starts, so they see it from its first event.
        await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics().Subscribers), n => n == 2, "two subscribers are attached");
        host.StartTraining(new VisionTrainerOptions { Epochs = 2, BatchSize = 64, MaxStepsPerEpoch = 40, Seed = 7 });
        await sse.WaitAsync(cts.Token);

        var summary = await host.Training;
        summary.State.Should().Be(RunState.Completed);

        // Framing: the id is the offset, the event type matches the payload.
        items.Should().OnlyContain(i => i.EventId == i.Data.GetProperty("offset").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture));
        items.Should().OnlyContain(i => i.EventType == i.Data.GetProperty("event_type").GetString());
        items.Select(i => i.Data.GetProperty("sequence").GetInt64()).Should().Equal(Enumerable.Range(1, items.Count).Select(i => (long)i));
        items[0].Data.GetProperty("event").GetString().Should().Be("run_started");

        var losses = items
            .Where(i => i.EventType == "metrics_update" && i.Data.GetProperty("data").TryGetProperty("train_loss", out _))
            .Select(i => i.Data.GetProperty("data").GetProperty("train_loss").GetDouble())
            .ToList();
        losses.Should().HaveCountGreaterThanOrEqualTo(16); // step 1, then every 5th of 80 steps
        losses.Take(3).Average().Should().BeGreaterThan(losses.TakeLast(3).Average(), "a real CNN learns Fashion-MNIST");

        var epochs = items.Where(i => i.Data.TryGetProperty("event", out var e) && e.GetString() == "epoch_completed").ToList();
        epochs.Should().HaveCount(2);
        epochs[1].Data.GetProperty("data").GetProperty("metrics").GetProperty("val_accuracy").GetDouble().Should().BeInRange(0.3, 1.0);

        // The WebSocket client saw the same events, in the same order, in its own message shape.
        var messages = await webSocketMessages;
        messages.Select(m => m.GetProperty("offset").GetInt64()).Should().Equal(items.Select(i => i.Data.GetProperty("offset").GetInt64()));
        var sseTypes = items.ToDictionary(i => i.Data.GetProperty("offset").GetInt64(), i => i.EventType);
        messages.Select(m => m.GetProperty("message_type").GetString())
            .Should().Equal(messages.Select(m => sseTypes[m.GetProperty("offset").GetInt64()]));
    }

    [FashionMnistFact]
    public async Task Sse_ResumeWithLastEventIdDuringTraining_NoDuplicatesNoHoles()
    {
        await using var host = await LiveTrainingHost.StartAsync(metricsInterval: 1);
        using var cts = new CancellationTokenSource(s_timeout);
        var first = new List<long>();
        var firstConnection = Task.Run(async () =>
        {
            await foreach (var item in host.ReadSseAsync(lastEventId: null, cts.Token))
            {
                first.Add(long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture));
                if (first.Count == 15)
                {
                    break; // Disconnect mid-run, while the trainer keeps publishing.
                }
            }
        });
        await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics().Subscribers), n => n == 1, "one subscriber is attached");
        host.StartTraining(new VisionTrainerOptions { Epochs = 1, BatchSize = 64, MaxStepsPerEpoch = 60, Seed = 3 });
        await firstConnection.WaitAsync(cts.Token);

        await Task.Delay(300, cts.Token);
        var second = new List<long>();
        await foreach (var item in host.ReadSseAsync(first[^1].ToString(System.Globalization.CultureInfo.InvariantCulture), cts.Token))
        {
            second.Add(long.Parse(item.EventId!, System.Globalization.CultureInfo.InvariantCulture));
            if (IsRunFinished(item.Data))
            {
                break;
            }
        }

        second[0].Should().Be(first[^1] + 1);
        var all = first.Concat(second).ToList();
        all.Should().OnlyHaveUniqueItems();
        all.Should().Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), "resumed streams join without holes");
        (await host.Training).State.Should().Be(RunState.Completed);
    }

    [FashionMnistFact]
    public async Task Sse_DashboardOfflineFor30SecondsDuringRealTraining_GetsEveryMissedEventFromSqliteThenRingInOrder()
    {
        // The "done when", literally: real training, a persistent SQLite store, a history ring far smaller than
        // what 30 s of training publishes, and a dashboard that loses the network for 30 s and reconnects with Last-Event-ID.
        var directory = Directory.CreateTempSubdirectory("traininsight-e2e-");
        try
        {
            await using var host = await LiveTrainingHost.StartAsync(
                metricsInterval: 1,
                bus: o =>
                {
                    o.HistoryCapacity = 32;
                    o.StoreFlushInterval = TimeSpan.FromMilliseconds(200);
                },
                configure: b => b.AddSqliteStore(o => o.Path = Path.Combine(directory.FullName, "runs.db")));
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
            var before = new List<SseItem<JsonElement>>();
            var firstConnection = Task.Run(async () =>
            {
                await foreach (var item in host.ReadSseAsync(lastEventId: null, cts.Token))
                {
                    before.Add(item);
                    if (before.Count == 20)
                    {
                        break; // The network goes away; the trainer keeps training.
                    }
                }
            });
            await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics().Subscribers), n => n == 1, "one subscriber is attached");
            // Far more steps than the test needs: on a fast machine 50 × 60 steps ended before the dashboard reconnected,
            // and the reconnected client then waited for live events that never came. The test stops the run itself.
            host.StartTraining(new VisionTrainerOptions { Epochs = 10_000, BatchSize = 64, MaxStepsPerEpoch = 60, Seed = 5 });
            await firstConnection.WaitAsync(cts.Token);
            var lastSeen = long.Parse(before[^1].EventId!, System.Globalization.CultureInfo.InvariantCulture);

            await Task.Delay(TimeSpan.FromSeconds(30), cts.Token);

            var missedSoFar = host.Bus.GetStatistics().LastOffset - lastSeen;
            missedSoFar.Should().BeGreaterThan(32 * 4, "30 s of training publish far more than the ring holds, so the store must serve them");
            var reconnectedAt = host.Bus.GetStatistics().LastOffset;
            var after = new List<SseItem<JsonElement>>();
            await foreach (var item in host.ReadSseAsync(lastSeen.ToString(System.Globalization.CultureInfo.InvariantCulture), cts.Token))
            {
                after.Add(item);
                if (item.EventId is { } id && long.Parse(id, System.Globalization.CultureInfo.InvariantCulture) >= reconnectedAt + 10)
                {
                    break; // Past the seam into live events.
                }
            }

            after.Should().NotContain(i => i.EventType == "gap", "the SQLite store holds everything the ring no longer does");
            var offsets = after.Select(i => long.Parse(i.EventId!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            offsets.Should().Equal(Enumerable.Range((int)lastSeen + 1, offsets.Count).Select(i => (long)i), "every missed event, in order, then live ones");
            var sequences = before.Concat(after).Select(i => i.Data.GetProperty("sequence").GetInt64()).ToList();
            sequences.Should().Equal(Enumerable.Range(1, sequences.Count).Select(i => (long)i), "one run: its sequence has no hole either");
            host.Control.Submit(ControlAction.Stop);
            (await host.Training.WaitAsync(cts.Token)).State.Should().Be(RunState.Stopped);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [FashionMnistFact]
    public async Task Control_PauseResumeStopOverHttp_TakeEffectAtStepBoundaries()
    {
        await using var host = await LiveTrainingHost.StartAsync(metricsInterval: 1);
        using var cts = new CancellationTokenSource(s_timeout);
        var events = new List<JsonElement>();
        var reading = CollectUntilRunFinishedAsync(host, events, cts.Token);

        host.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 32, Seed = 5 });
        await Poll.UntilAsync(() => CurrentStepAsync(host), step => step >= 3, "the run reached step 3");

        var pause = await PostControlAsync(host, """{"action":"pause"}""");
        pause.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var pauseId = JsonDocument.Parse(await pause.Content.ReadAsStringAsync()).RootElement.GetProperty("command_id").GetString();
        var applied = await WaitForEventAsync(events, e => CommandId(e) == pauseId, cts.Token);
        applied.GetProperty("data").GetProperty("status").GetString().Should().Be("applied");
        applied.GetProperty("data").GetProperty("model_state").GetString().Should().Be("paused");

        var pausedAt = await CurrentStepAsync(host);
        await Task.Delay(1_000, cts.Token);
        (await CurrentStepAsync(host)).Should().Be(pausedAt, "a paused run takes no steps");
        (await CurrentStateAsync(host)).Should().Be("paused");

        var resume = await PostControlAsync(host, """{"action":"resume"}""");
        resume.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await Poll.UntilAsync(() => CurrentStepAsync(host), step => step > pausedAt + 2, "the run went on after it was resumed");

        var stop = await PostControlAsync(host, """{"action":"stop"}""");
        stop.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var summary = await host.Training.WaitAsync(cts.Token);
        summary.State.Should().Be(RunState.Stopped);
        summary.EpochsCompleted.Should().BeLessThan(50);
        await reading.WaitAsync(cts.Token);
        lock (events)
        {
            IsRunFinished(events[^1]).Should().BeTrue();
            events[^1].GetProperty("data").GetProperty("model_state").GetString().Should().Be("stopped");
        }

        // The run is over: nothing is left to steer.
        (await PostControlAsync(host, """{"action":"pause"}""")).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [FashionMnistFact]
    public async Task Control_SaveCheckpointEvaluateEarlyStoppingAndStopOverHttp_ActOnTheLiveRun()
    {
        var folder = Path.Combine(Path.GetTempPath(), "traininsight-e2e-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using var host = await LiveTrainingHost.StartAsync(
                metricsInterval: 1,
                torch: o => o.CheckpointDirectory = folder);
            using var cts = new CancellationTokenSource(s_timeout);
            var events = new List<JsonElement>();
            var reading = CollectUntilRunFinishedAsync(host, events, cts.Token);

            host.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 32, Seed = 9 });
            await Poll.UntilAsync(() => CurrentStepAsync(host), step => step >= 3, "the run reached step 3");

            // save_checkpoint: applied, named in the acknowledgement, announced, and loadable into a fresh model.
            var save = await PostControlAsync(host, """{"action":"save_checkpoint"}""");
            save.StatusCode.Should().Be(HttpStatusCode.Accepted);
            var saveId = JsonDocument.Parse(await save.Content.ReadAsStringAsync()).RootElement.GetProperty("command_id").GetString();
            var saved = (await WaitForEventAsync(events, e => CommandId(e) == saveId, cts.Token)).GetProperty("data");
            saved.GetProperty("status").GetString().Should().Be("applied");
            var announced = await WaitForEventAsync(
                events, e => e.TryGetProperty("event", out var k) && k.GetString() == "checkpoint_saved", cts.Token);
            var path = announced.GetProperty("data").GetProperty("checkpoint_path").GetString()!;
            path.Should().StartWith(folder).And.EndWith(".pt");
            saved.GetProperty("message").GetString().Should().Contain(path);
            using (var fresh = new TrainInsight.Torch.Vision.SmallCnn())
            {
                FluentActions.Invoking(() => TrainInsight.Torch.TrainingCheckpoint.Load(fresh, path)).Should().NotThrow();
            }

            // evaluate: validation metrics in the middle of the epoch.
            var evaluate = await PostControlAsync(host, """{"action":"evaluate"}""");
            var evaluateId = JsonDocument.Parse(await evaluate.Content.ReadAsStringAsync()).RootElement.GetProperty("command_id").GetString();
            var evaluated = (await WaitForEventAsync(events, e => CommandId(e) == evaluateId, cts.Token)).GetProperty("data");
            evaluated.GetProperty("status").GetString().Should().Be("applied");
            evaluated.GetProperty("message").GetString().Should().Contain("val_loss");
            var validation = await WaitForEventAsync(
                events, e => e.GetProperty("event_type").GetString() == "metrics_update" && e.GetProperty("data").TryGetProperty("val_loss", out _), cts.Token);
            validation.GetProperty("data").GetProperty("val_accuracy").GetDouble().Should().BeInRange(0, 1);

            // set_early_stopping with a fractional patience: accepted over HTTP, rejected by the trainer, training goes on.
            var early = await PostControlAsync(host, """{"action":"set_early_stopping","value":2.5}""");
            early.StatusCode.Should().Be(HttpStatusCode.Accepted);
            var earlyId = JsonDocument.Parse(await early.Content.ReadAsStringAsync()).RootElement.GetProperty("command_id").GetString();
            var rejected = (await WaitForEventAsync(events, e => CommandId(e) == earlyId, cts.Token)).GetProperty("data");
            rejected.GetProperty("status").GetString().Should().Be("rejected");
            rejected.GetProperty("message").GetString().Should().Contain("whole number");

            // stop: the run ends with its final checkpoint.
            (await PostControlAsync(host, """{"action":"stop"}""")).StatusCode.Should().Be(HttpStatusCode.Accepted);
            var summary = await host.Training.WaitAsync(cts.Token);
            summary.State.Should().Be(RunState.Stopped);
            await reading.WaitAsync(cts.Token);
            JsonElement finished;
            lock (events)
            {
                finished = events[^1];
            }

            IsRunFinished(finished).Should().BeTrue();
            var final = finished.GetProperty("data").GetProperty("checkpoint_path").GetString();
            final.Should().Be(Path.Combine(folder, summary.Run.Id, "final.pt"));
            File.Exists(final).Should().BeTrue();
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [FashionMnistFact]
    public async Task WebSocket_ClientThatNeverReads_DropsCountedAndTrainerFinishes()
    {
        await using var host = await LiveTrainingHost.StartAsync(metricsInterval: 1, o => o.ClientQueueCapacity = 4);
        using var cts = new CancellationTokenSource(s_timeout);
        using var stalled = new ClientWebSocket();
        stalled.Options.KeepAliveInterval = TimeSpan.Zero;
        await stalled.ConnectAsync(WebSocketUri(host), cts.Token);
        await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics().Subscribers), n => n == 1, "one subscriber is attached");

        host.StartTraining(new VisionTrainerOptions { Epochs = 1, BatchSize = 64, MaxStepsPerEpoch = 60, Seed = 11 });

        // A second producer floods the bus with 8,000 wide events (about 30 MB of messages for the stalled socket), so
        // the client's socket buffers fill and its 4-event queue must overflow while the real training goes on. The
        // flood stays within the 10,000-event history ring, so the training run's events remain replayable.
        var flood = RunDescriptor.Create("flood");
        var wide = Enumerable.Range(0, 100).ToDictionary(i => $"layer{i:D3}_gradient_norm", i => i * 0.001);
        for (var chunk = 0; chunk < 8; chunk++)
        {
            for (var i = 0; i < 1_000; i++)
            {
                host.Bus.TryPublish(new MetricEvent(flood, (chunk * 1_000) + i + 1, wide)).Should().BeTrue();
            }

            await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics()), s => s.Dispatched + s.DroppedAtIngest >= s.Published, "everything published was dispatched");
        }

        var summary = await host.Training.WaitAsync(cts.Token);
        summary.State.Should().Be(RunState.Completed);
        summary.Steps.Should().Be(60);
        await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics().DroppedAtSubscribers), dropped => dropped > 0, "the stalled subscriber lost events");
        host.Bus.GetStatistics().DroppedAtIngest.Should().Be(0);

        // Other clients are still served: the training run's events replay without holes, up to its end.
        var replay = new List<JsonElement>();
        await foreach (var item in host.ReadSseAsync(null, cts.Token, $"?after=0&run={summary.Run.Id}"))
        {
            replay.Add(item.Data);
            if (IsRunFinished(item.Data))
            {
                break;
            }
        }

        var sequences = replay.Select(e => e.GetProperty("sequence").GetInt64()).ToList();
        sequences.Should().Equal(Enumerable.Range((int)sequences[0], sequences.Count).Select(i => (long)i));
        replay.Should().OnlyContain(e => e.GetProperty("run_id").GetString() == summary.Run.Id);
    }

    private static Uri WebSocketUri(LiveTrainingHost host) => new($"ws://{host.BaseAddress.Authority}/ws/metrics");

    private static async Task<List<JsonElement>> ReceiveWebSocketUntilFinishedAsync(LiveTrainingHost host, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(WebSocketUri(host), cancellationToken);
        var messages = new List<JsonElement>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            var json = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            messages.Add(json);
            if (json.TryGetProperty("event", out var e) && e.GetString() == "run_finished")
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", cancellationToken);
                return messages;
            }
        }
    }

    /// <summary>Reads the SSE stream on a background task into <paramref name="events"/> (locked) until the run finishes.</summary>
    private static Task CollectUntilRunFinishedAsync(LiveTrainingHost host, List<JsonElement> events, CancellationToken cancellationToken) =>
        Task.Run(async () =>
        {
            await foreach (var item in host.ReadSseAsync(null, cancellationToken))
            {
                lock (events)
                {
                    events.Add(item.Data);
                }

                if (IsRunFinished(item.Data))
                {
                    return;
                }
            }
        }, cancellationToken);

    private static bool IsRunFinished(JsonElement data) =>
        data.TryGetProperty("event", out var e) && e.GetString() == "run_finished";

    private static string? CommandId(JsonElement data) =>
        data.TryGetProperty("data", out var d) && d.TryGetProperty("command_id", out var id) ? id.GetString() : null;

    private static Task<HttpResponseMessage> PostControlAsync(LiveTrainingHost host, string json) =>
        host.Http.PostAsync("/api/training/control", new StringContent(json, Encoding.UTF8, "application/json"));

    private static async Task<long> CurrentStepAsync(LiveTrainingHost host)
    {
        using var response = await host.Http.GetAsync("/api/metrics/current");
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return -1;
        }

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return json.GetProperty("data").TryGetProperty("step", out var step) ? step.GetInt64() : -1;
    }

    private static async Task<string?> CurrentStateAsync(LiveTrainingHost host)
    {
        var json = JsonDocument.Parse(await host.Http.GetStringAsync("/api/metrics/current")).RootElement;
        return json.GetProperty("model_state").GetString();
    }

    private static async Task<JsonElement> WaitForEventAsync(List<JsonElement> events, Func<JsonElement, bool> match, CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (events)
            {
                foreach (var e in events)
                {
                    if (match(e))
                    {
                        return e;
                    }
                }
            }

            await Task.Delay(50, cancellationToken);
        }
    }
}
