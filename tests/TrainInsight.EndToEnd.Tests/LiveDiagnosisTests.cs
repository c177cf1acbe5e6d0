using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Torch.Training;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>Real TorchSharp training with the diagnosis on: findings reach SSE and REST while the run trains.</summary>
public sealed class LiveDiagnosisTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(150);

    [FashionMnistFact]
    public async Task Diagnosis_FarTooHighLearningRate_DivergenceOverSseAndRestWithinAFewUpdates()
    {
        await using var host = await LiveTrainingHost.StartAsync(metricsInterval: 2, configure: b => b.AddDiagnostics(), torch: o => o.GradientNorm = true);
        using var cts = new CancellationTokenSource(s_timeout);
        var items = new List<SseItem<JsonElement>>();
        var sse = Task.Run(async () =>
        {
            await foreach (var item in host.ReadSseAsync(lastEventId: null, cts.Token))
            {
                // The Info note on signals the run does not send (signals_missing) may come before or after the divergence.
                if (item.EventType == "finding" && item.Data.GetProperty("data").GetProperty("label").GetString() == FindingLabels.SignalsMissing)
                {
                    continue;
                }

                items.Add(item);
                if (item.EventType == "finding" || IsRunFinished(item.Data))
                {
                    break;
                }
            }
        });
        await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetStatistics().Subscribers), n => n >= 2, "the SSE client and the diagnosis are subscribed");

        // SGD with momentum at 10 (the most VisionTrainer takes) on SmallCnn: the loss leaves any sane range within a few steps.
        host.StartTraining(new VisionTrainerOptions { Epochs = 1, BatchSize = 64, MaxStepsPerEpoch = 60, Seed = 3, Optimizer = TrainerOptimizer.SgdMomentum, LearningRate = 10 });
        await sse.WaitAsync(cts.Token);

        var finding = items.Should().Contain(i => i.EventType == "finding").Which.Data;
        var data = finding.GetProperty("data");
        data.GetProperty("label").GetString().Should().Be(FindingLabels.Divergence);
        data.GetProperty("severity").GetString().Should().Be("critical");
        data.GetProperty("evidence").GetArrayLength().Should().BeGreaterThan(0);
        data.GetProperty("fixes")[0].GetProperty("kind").GetString().Should().Be("live_action");

        // Within a few metric updates of the loss blowing up (non-finite, or above the loss the run started from).
        var losses = items.Where(i => i.EventType == "metrics_update" && i.Data.GetProperty("data").TryGetProperty("train_loss", out _)).ToList();
        var initial = Loss(losses[0].Data);
        var blowUp = losses.FindIndex(i => Loss(i.Data) is var l && (!double.IsFinite(l) || l > 3 * initial));
        blowUp.Should().BeGreaterThanOrEqualTo(0, "the loss blew up (initial {0})", initial);
        var updatesBeforeFinding = losses.Count - 1 - blowUp;
        updatesBeforeFinding.Should().BeLessThanOrEqualTo(3);

        var runId = finding.GetProperty("run_id").GetString()!;
        // The store writes every 500 ms: until the run's first batch is in, the run is unknown there (404).
        var stored = await Poll.UntilAsync(
            async () =>
            {
                using var response = await host.Http.GetAsync($"/api/runs/{runId}/findings?severity=critical", cts.Token);
                return response.StatusCode == System.Net.HttpStatusCode.NotFound
                    ? (JsonElement?)null
                    : JsonDocument.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync(cts.Token)).RootElement.Clone();
            },
            r => r is { } json && json.GetProperty("findings").GetArrayLength() >= 1,
            "the finding is served by REST");
        stored!.Value.GetProperty("findings")[0].GetProperty("data").GetProperty("finding_id").GetString()
            .Should().Be(data.GetProperty("finding_id").GetString());
    }

    [FashionMnistFact]
    public async Task Diagnosis_HealthyRun_NoFindingOfWarningOrWorse()
    {
        await using var host = await LiveTrainingHost.StartAsync(
            metricsInterval: 5,
            configure: b => b.AddDiagnostics(),
            torch: o =>
            {
                o.GradientNorm = true;
                o.LayerStatistics = true;
                o.ActivationStatistics = true;
            });
        host.StartTraining(new VisionTrainerOptions { Epochs = 2, BatchSize = 64, MaxStepsPerEpoch = 60, Seed = 5 });
        var summary = await host.Training.WaitAsync(s_timeout);
        summary.State.Should().Be(RunState.Completed);
        var engine = host.Services.GetRequiredService<TrainInsight.Diagnostics.DiagnosisEngine>();
        await Poll.UntilAsync(() => engine.EventsProcessed >= host.Bus.GetHistory().Count(e => e.RunId == summary.Run.Id && e is not FindingEvent) - 1, "the diagnosis caught up");

        engine.GetFindings(summary.Run.Id).Where(f => f.Severity >= FindingSeverity.Warning).Should().BeEmpty();
        await Poll.UntilAsync(
            async () => (await host.Http.GetAsync($"/api/runs/{summary.Run.Id}")).StatusCode,
            status => status == System.Net.HttpStatusCode.OK,
            "the store has the run");
        var json = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/runs/{summary.Run.Id}/findings?severity=warning")).RootElement;
        json.GetProperty("findings").GetArrayLength().Should().Be(0, "a healthy run gets no warning: {0}", json.ToString());
    }

    private static double Loss(JsonElement item)
    {
        var value = item.GetProperty("data").GetProperty("train_loss");
        return value.ValueKind == JsonValueKind.String ? double.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetDouble();
    }

    private static bool IsRunFinished(JsonElement data) => data.TryGetProperty("event", out var e) && e.GetString() == "run_finished";
}
