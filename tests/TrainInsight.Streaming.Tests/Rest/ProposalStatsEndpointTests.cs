using System.Net;
using System.Text.Json;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class ProposalStatsEndpointTests
{
    private static readonly string[] s_countNames =
        ["proposed", "pending", "approved", "auto_applied", "rejected", "expired", "applied", "failed", "measured", "helped", "no_effect", "hurt", "adoption_rate", "helped_rate"];

    [Fact]
    public async Task Stats_SeededProposals_CountsOverallPerRunSourceAndActionWithTheRates()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        Seed(proposals);

        using var response = await server.Client.GetAsync("api/assistant/stats");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.TryGetProperty("run_id", out var _).Should().BeFalse();
        json.GetProperty("overall").EnumerateObject().Select(p => p.Name).Should().Equal(s_countNames);

        // 6 made: 1 pending, 3 approved (1 of them auto-applied; 2 applied, 1 failed), 1 rejected, 1 expired; 2 measured (helped, hurt).
        Counts(json.GetProperty("overall")).Should().Equal(6, 1, 3, 1, 1, 1, 2, 1, 2, 1, 0, 1);
        json.GetProperty("overall").GetProperty("adoption_rate").GetDouble().Should().Be(0.5, "(3 − 1) ÷ (6 − 1 − 1)");
        json.GetProperty("overall").GetProperty("helped_rate").GetDouble().Should().Be(0.5, "1 ÷ 2");

        json.GetProperty("by_run").EnumerateObject().Select(p => p.Name).Should().Equal("run-a", "run-b");
        Counts(json.GetProperty("by_run").GetProperty("run-a")).Should().Equal(5, 1, 2, 1, 1, 1, 2, 0, 2, 1, 0, 1);
        json.GetProperty("by_run").GetProperty("run-a").GetProperty("adoption_rate").GetDouble().Should().BeApproximately(1.0 / 3, 1e-12, "(2 − 1) ÷ (5 − 1 − 1)");
        json.GetProperty("by_run").GetProperty("run-b").GetProperty("adoption_rate").GetDouble().Should().Be(1);
        json.GetProperty("by_run").GetProperty("run-b").GetProperty("helped_rate").ValueKind.Should().Be(JsonValueKind.Null, "nothing of run-b was measured");

        json.GetProperty("by_source").EnumerateObject().Select(p => p.Name).Should().Equal("rule", "model", "command", "external");
        var rule = json.GetProperty("by_source").GetProperty("rule");
        rule.GetProperty("adoption_rate").ValueKind.Should().Be(JsonValueKind.Null, "the only settled rule proposal was auto-applied");
        rule.GetProperty("helped_rate").GetDouble().Should().Be(0);
        json.GetProperty("by_source").GetProperty("model").GetProperty("adoption_rate").GetDouble().Should().Be(0.5);

        var byAction = json.GetProperty("by_action");
        byAction.EnumerateObject().Select(p => p.Name).Should().Equal("pause", "stop", "set_learning_rate", "save_checkpoint", "restore_checkpoint");
        Counts(byAction.GetProperty("pause")).Should().Equal(2, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0);
        byAction.GetProperty("set_learning_rate").GetProperty("adoption_rate").GetDouble().Should().Be(1);
    }

    [Fact]
    public async Task Stats_RunFilter_CountsOnlyThatRun()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        Seed(proposals);

        var json = await ResponseAssertions.ReadJsonAsync(await server.Client.GetAsync("api/assistant/stats?run=run-b"));

        json.GetProperty("run_id").GetString().Should().Be("run-b");
        Counts(json.GetProperty("overall")).Should().Equal(1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0);
        json.GetProperty("by_run").EnumerateObject().Select(p => p.Name).Should().Equal("run-b");
        json.GetProperty("by_source").EnumerateObject().Select(p => p.Name).Should().Equal("external");
    }

    [Fact]
    public async Task Stats_NoProposals_ZerosAndNullRates()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        var json = await ResponseAssertions.ReadJsonAsync(await server.Client.GetAsync("api/assistant/stats"));

        json.GetProperty("overall").GetRawText().Should().Be(
            """{"proposed":0,"pending":0,"approved":0,"auto_applied":0,"rejected":0,"expired":0,"applied":0,"failed":0,"measured":0,"helped":0,"no_effect":0,"hurt":0,"adoption_rate":null,"helped_rate":null}""");
        json.GetProperty("by_run").EnumerateObject().Should().BeEmpty();
    }

    [Fact]
    public async Task Stats_MalformedRun_Returns400()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var response = await server.Client.GetAsync("api/assistant/stats?run=bad$id");

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    private static void Seed(FakeProposalService proposals)
    {
        var a = Run("run-a");
        proposals.Add(Make(a, "p1", ProposalState.Pending, ProposalSource.Rule, [new FixCommand(ControlAction.SetLearningRate, 0.001)]));
        proposals.Add(Make(a, "p2", ProposalState.Applied, ProposalSource.Model, [new FixCommand(ControlAction.SetLearningRate, 0.002)], verdict: ProposalVerdict.Helped));
        proposals.Add(Make(a, "p3", ProposalState.Rejected, ProposalSource.Model, [new FixCommand(ControlAction.Pause)]));
        proposals.Add(Make(a, "p4", ProposalState.Applied, ProposalSource.Rule, [new FixCommand(ControlAction.SaveCheckpoint)], autoApplied: true, verdict: ProposalVerdict.Hurt));
        proposals.Add(Make(a, "p5", ProposalState.Expired, ProposalSource.Command, [new FixCommand(ControlAction.Stop)]));
        proposals.Add(Make(Run("run-b"), "p6", ProposalState.Failed, ProposalSource.External,
            [new FixCommand(ControlAction.RestoreCheckpoint) { Path = "c.pt" }, new FixCommand(ControlAction.Pause)]));
    }

    private static ProposalEvent Make(
        RunDescriptor run, string id, ProposalState state, ProposalSource source, FixCommand[] commands, bool autoApplied = false, ProposalVerdict? verdict = null) =>
        new(run, id, state, source, commands, $"Proposal {id}")
        {
            Revision = state == ProposalState.Pending ? 1 : 2,
            AutoApplied = autoApplied,
            Outcome = verdict is { } v ? new ProposalOutcome(MetricNames.TrainLoss, v, 1.0, 0.8, 0.95, -0.15, $"{v}: train_loss 1 → 0.8.") : null,
        };

    private static List<int> Counts(JsonElement counts) =>
        [.. s_countNames.Take(12).Select(name => counts.GetProperty(name).GetInt32())];
}
