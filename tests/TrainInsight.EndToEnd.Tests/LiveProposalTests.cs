using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Torch.Training;

namespace TrainInsight.EndToEnd.Tests;

[CollectionDefinition(nameof(LiveProposalTests), DisableParallelization = true)]
public sealed class LiveProposalCollection;

/// <summary>
/// Real TorchSharp training with proposals over HTTP: approve, apply at a step boundary, measure, revert. Alone, after the
/// other classes: two more trainings beside theirs on 2 cores slowed the other live tests past their waits.
/// </summary>
[Collection(nameof(LiveProposalTests))]
public sealed class LiveProposalTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(240);

    [FashionMnistFact]
    public async Task Proposal_HarmfulRateApprovedOverHttp_IsMeasuredAsHurtAndItsRevertRestoresTheCheckpoint()
    {
        using var checkpoints = new TempDirectory();
        await using var host = await LiveTrainingHost.StartAsync(
            metricsInterval: 1,
            trainImages: 16_000,
            configure: b => b.AddProposals(o => o.OutcomeWindow = 10),
            torch: o => o.CheckpointDirectory = checkpoints.Path);
        using var cts = new CancellationTokenSource(s_timeout);
        host.StartTraining(new VisionTrainerOptions { Epochs = 2, BatchSize = 32, Seed = 5, Optimizer = TrainerOptimizer.Adam, LearningRate = 0.001 });
        var runId = await WaitForStepAsync(host, 40);

        // A person asks for the rate ×100 through the API; nothing changes until it is approved.
        using var created = await PostAsync(host, "/api/proposals",
            $$"""{"run_id":"{{runId}}","commands":[{"action":"set_learning_rate","value":0.1}],"rationale":"try a much larger step"}""", cts.Token);
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = Json(await created.Content.ReadAsStringAsync(cts.Token)).GetProperty("proposal_id").GetString()!;
        host.Bus.GetCurrent(runId)!.Values[MetricNames.LearningRate].Should().Be(0.001);

        using var approved = await PostAsync(host, $"/api/proposals/{id}/approve", """{"actor":"e2e"}""", cts.Token);
        approved.StatusCode.Should().Be(HttpStatusCode.OK);
        var measured = await PollProposalAsync(host, id, p => p.TryGetProperty("outcome", out _), "the outcome is measured", cts.Token);
        measured.GetProperty("state").GetString().Should().Be("applied");
        measured.GetProperty("checkpoint_path").GetString().Should().StartWith(checkpoints.Path);
        measured.GetProperty("previous_values").GetProperty("learning_rate").GetDouble().Should().Be(0.001);
        var outcome = measured.GetProperty("outcome");
        outcome.GetProperty("verdict").GetString().Should().Be("hurt", outcome.GetProperty("message").GetString());
        var history = measured.GetProperty("history").EnumerateArray().Select(r => (r.GetProperty("state").GetString(), r.GetProperty("actor").GetString())).ToList();
        history.Take(3).Should().Equal(("pending", "anonymous"), ("approved", "e2e"), ("applied", "trainer"));

        // The revert appears as a pending proposal and goes through the same approval path.
        var list = await PollAsync(async () => Json(await host.Http.GetStringAsync($"/api/proposals?run={runId}&state=pending", cts.Token)),
            l => l.GetProperty("proposals").EnumerateArray().Any(p => p.TryGetProperty("revert_of", out var of) && of.GetString() == id), "a revert is proposed", cts.Token);
        var revert = list.GetProperty("proposals").EnumerateArray().Single(p => p.GetProperty("revert_of").GetString() == id);
        revert.GetProperty("source").GetString().Should().Be("revert");
        var revertId = revert.GetProperty("proposal_id").GetString()!;
        revert.GetProperty("commands")[0].GetProperty("path").GetString().Should().Be(measured.GetProperty("checkpoint_path").GetString());

        using var approveRevert = await PostAsync(host, $"/api/proposals/{revertId}/approve", "{}", cts.Token);
        approveRevert.StatusCode.Should().Be(HttpStatusCode.OK);
        var reverted = await PollProposalAsync(host, revertId, p => p.GetProperty("state").GetString() is "applied" or "failed", "the revert is applied", cts.Token);
        reverted.GetProperty("state").GetString().Should().Be("applied", reverted.TryGetProperty("reason", out var why) ? why.GetString() : null);
        var step = reverted.GetProperty("applied_step").GetInt64();
        await Poll.UntilAsync(() => host.Bus.GetCurrent(runId)!.Step > step, "a step after the restore");
        host.Bus.GetCurrent(runId)!.Values[MetricNames.LearningRate].Should().Be(0.001, "the checkpoint's optimizer state and the previous rate are back");

        var stats = Json(await host.Http.GetStringAsync($"/api/assistant/stats?run={runId}", cts.Token)).GetProperty("overall");
        stats.GetProperty("applied").GetInt32().Should().Be(2);
        stats.GetProperty("hurt").GetInt32().Should().BeGreaterThanOrEqualTo(1);

        host.Control.Submit(ControlAction.Stop, runId);
        await host.Training.WaitAsync(s_timeout);
    }

    [FashionMnistFact]
    public async Task Proposal_RuleFixOfADivergingRun_ApprovedOverHttp_LowersTheRateOnTheNextStep()
    {
        using var checkpoints = new TempDirectory();
        await using var host = await LiveTrainingHost.StartAsync(
            metricsInterval: 1,
            trainImages: 16_000,
            configure: b => b.AddDiagnostics().AddProposals(o => o.OutcomeWindow = 10),
            torch: o =>
            {
                o.CheckpointDirectory = checkpoints.Path;
                o.GradientNorm = true;
            });
        using var cts = new CancellationTokenSource(s_timeout);
        host.StartTraining(new VisionTrainerOptions { Epochs = 2, BatchSize = 32, Seed = 3, Optimizer = TrainerOptimizer.SgdMomentum, LearningRate = 0.6 });
        var runId = await WaitForStepAsync(host, 1);
        var service = host.Services.GetRequiredService<IProposalService>();

        // Findings come and go on a diverging run (a newer fix supersedes an older one): approve the pending one, as a person would.
        ProposalEvent proposal = null!;
        var approvedStatus = HttpStatusCode.Conflict;
        for (var attempt = 0; attempt < 5 && approvedStatus == HttpStatusCode.Conflict; attempt++)
        {
            proposal = await Poll.UntilAsync(
                async () => (await service.ListAsync(new ProposalQuery { RunId = runId, State = ProposalState.Pending }))
                    .FirstOrDefault(p => p.Source == ProposalSource.Rule && p.Commands.Any(c => c.Action == ControlAction.SetLearningRate && c.Value < 0.6))!,
                p => p is not null, "a finding's fix becomes a pending learning-rate proposal", TimeSpan.FromSeconds(120));
            using var approved = await PostAsync(host, $"/api/proposals/{proposal.ProposalId}/approve", "{}", cts.Token);
            approvedStatus = approved.StatusCode;
        }

        approvedStatus.Should().Be(HttpStatusCode.OK);
        proposal.FindingId.Should().NotBeNull();
        var rate = proposal.Commands.Single(c => c.Action == ControlAction.SetLearningRate).Value!.Value;
        rate.Should().BeLessThan(0.6);

        var applied = await PollProposalAsync(host, proposal.ProposalId, p => p.GetProperty("state").GetString() != "approved", "the trainer acknowledges", cts.Token);
        applied.GetProperty("state").GetString().Should().Be("applied");
        var step = applied.GetProperty("applied_step").GetInt64();
        var next = await Poll.UntilAsync(() => Task.FromResult(host.Bus.GetHistory().OfType<MetricEvent>().FirstOrDefault(m => m.RunId == runId && m.Step == step + 1)!),
            m => m is not null, "the next step reports");
        next.Values[MetricNames.LearningRate].Should().Be(rate, "the optimizer trains the very next step with the approved rate");

        var measured = await PollProposalAsync(host, proposal.ProposalId, p => p.TryGetProperty("outcome", out _) || p.TryGetProperty("reason", out _), "the outcome is measured", cts.Token);
        if (measured.TryGetProperty("outcome", out var outcome))
        {
            outcome.GetProperty("verdict").GetString().Should().BeOneOf("helped", "no_effect", "hurt");
            outcome.GetProperty("after_count").GetInt32().Should().BeGreaterThan(0);
        }
        else
        {
            measured.GetProperty("reason").GetString().Should().StartWith("The outcome is not measured");
        }

        if (host.Control.ActiveRuns.Contains(runId))
        {
            host.Control.Submit(ControlAction.Stop, runId);
        }

        await host.Training.WaitAsync(s_timeout);
    }

    private static async Task<string> WaitForStepAsync(LiveTrainingHost host, long step)
    {
        await Poll.UntilAsync(() => host.Bus.GetCurrent() is { Step: { } s } && s >= step, $"training reaches step {step}", TimeSpan.FromSeconds(120));
        return host.Bus.GetCurrent()!.Run.Id;
    }

    private static Task<JsonElement> PollProposalAsync(LiveTrainingHost host, string id, Func<JsonElement, bool> condition, string because, CancellationToken cancellationToken) =>
        PollAsync(async () => Json(await host.Http.GetStringAsync($"/api/proposals/{id}", cancellationToken)), condition, because, cancellationToken);

    private static Task<JsonElement> PollAsync(Func<Task<JsonElement>> read, Func<JsonElement, bool> condition, string because, CancellationToken cancellationToken) =>
        Poll.UntilAsync(read, condition, because, TimeSpan.FromSeconds(120));

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static Task<HttpResponseMessage> PostAsync(LiveTrainingHost host, string path, string json, CancellationToken cancellationToken) =>
        host.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
}
