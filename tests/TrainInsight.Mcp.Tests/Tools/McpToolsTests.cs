using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Mcp.Tests.Infrastructure;

namespace TrainInsight.Mcp.Tests.Tools;

/// <summary>The tools over real HTTP: the SDK's client against TrainInsight's server on Kestrel.</summary>
public sealed class McpToolsTests
{
    private static readonly string[] s_runTools = ["list_runs", "get_current_metrics", "get_metric_history", "get_findings", "get_run_info", "compare_runs"];
    private static readonly string[] s_proposalTools = ["list_proposals", "get_proposal", "propose_control_action"];

    [Fact]
    public async Task ListTools_WithProposalService_ListsReadToolsAndProposalToolsButNoWayToApproveOrControl()
    {
        await using var server = await StartWithProposalsAsync();

        var tools = await server.Client.ListToolsAsync();

        tools.Select(t => t.Name).Should().BeEquivalentTo(s_runTools.Concat(s_proposalTools));
        tools.Select(t => t.Name).Should().NotContain(n => n.Contains("approve") || n.Contains("reject") || n.Contains("apply") || n.StartsWith("control") || n.StartsWith("set_") || n == "pause" || n == "stop");
        var propose = tools.Single(t => t.Name == "propose_control_action");
        propose.Description.Should().Contain("PENDING proposal").And.Contain("until a person approves it").And.Contain("no tool to approve");
        propose.JsonSchema.GetProperty("required").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo("run_id", "action", "rationale");
        tools.Where(t => t.Name != "propose_control_action").Should().OnlyContain(t => t.ProtocolTool.Annotations!.ReadOnlyHint == true);
        server.Client.ServerInstructions.Should().Contain("a person").And.Contain("must approve");
    }

    [Fact]
    public async Task ListTools_WithoutProposalService_ListsOnlyTheRunTools()
    {
        await using var server = await McpTestServer.StartAsync();

        var tools = await server.Client.ListToolsAsync();

        tools.Select(t => t.Name).Should().BeEquivalentTo(s_runTools);
    }

    [Fact]
    public async Task ListTools_ProposalToolsDisabled_ListsOnlyTheRunTools()
    {
        await using var server = await McpTestServer.StartAsync(sp => new FakeProposalService(sp.GetRequiredService<ITelemetryBus>()), o => o.EnableProposalTools = false);

        var tools = await server.Client.ListToolsAsync();

        tools.Select(t => t.Name).Should().BeEquivalentTo(s_runTools);
    }

    [Fact]
    public async Task ListRuns_RunPublishedOnTheBus_ListsItWithStateStepAndMetrics()
    {
        await using var server = await McpTestServer.StartAsync();
        var run = new RunDescriptor("mnist-1") { Name = "MNIST baseline", ModelName = "SmallCnn", TotalEpochs = 8 };
        await server.PublishAsync(new TrainingEvent(run, TrainingEventKind.RunStarted), Metrics(run, 40, 0.75));

        var (result, text) = await server.CallAsync("list_runs");

        result.IsError.Should().NotBe(true, text);
        using var json = JsonDocument.Parse(text);
        json.RootElement.GetProperty("count").GetInt32().Should().Be(1);
        var listed = json.RootElement.GetProperty("runs")[0];
        listed.GetProperty("id").GetString().Should().Be("mnist-1");
        listed.GetProperty("name").GetString().Should().Be("MNIST baseline");
        listed.GetProperty("model").GetString().Should().Be("SmallCnn");
        listed.GetProperty("state").GetString().Should().Be("training");
        listed.GetProperty("live").GetBoolean().Should().BeFalse("no trainer is attached to the control mailbox");
        listed.GetProperty("step").GetInt64().Should().Be(40);
        listed.GetProperty("metrics").EnumerateArray().Select(e => e.GetString()).Should().Contain(MetricNames.TrainLoss);
    }

    [Fact]
    public async Task GetCurrentMetrics_RunPublishedOnTheBus_ReturnsTheLatestValueWithItsStep()
    {
        await using var server = await McpTestServer.StartAsync();
        var run = new RunDescriptor("mnist-2");
        await server.PublishAsync(Metrics(run, 10, 1.5), Metrics(run, 20, 0.625));

        var (result, text) = await server.CallAsync("get_current_metrics", new() { ["run_id"] = "mnist-2" });

        result.IsError.Should().NotBe(true, text);
        text.Should().Contain("train_loss=0.625 @20").And.NotContain("1.5");
    }

    [Fact]
    public async Task GetMetricHistory_RunPublishedOnTheBus_ReturnsStepValuePairs()
    {
        await using var server = await McpTestServer.StartAsync();
        var run = new RunDescriptor("mnist-3");
        await server.PublishAsync(Metrics(run, 10, 1.5), Metrics(run, 20, 0.625));

        var (result, text) = await server.CallAsync("get_metric_history", new() { ["run_id"] = "mnist-3", ["name"] = "train_loss" });

        result.IsError.Should().NotBe(true, text);
        text.Should().Contain("train_loss (2 points, step:value): 10:1.5 20:0.625");
    }

    [Fact]
    public async Task GetMetricHistory_UnknownMetric_ReturnsErrorResultNamingTheRunsMetrics()
    {
        await using var server = await McpTestServer.StartAsync();
        var run = new RunDescriptor("mnist-4");
        await server.PublishAsync(Metrics(run, 10, 1.5));

        var (result, text) = await server.CallAsync("get_metric_history", new() { ["run_id"] = "mnist-4", ["name"] = "val_loss" });

        result.IsError.Should().BeTrue();
        text.Should().Contain("error: the run has no metric").And.Contain("val_loss").And.Contain("it has: train_loss");
    }

    [Theory]
    [InlineData("get_current_metrics")]
    [InlineData("get_findings")]
    [InlineData("get_run_info")]
    public async Task RunTool_UnknownRun_ReturnsErrorResultNamingTheRun(string tool)
    {
        await using var server = await McpTestServer.StartAsync();

        var (result, text) = await server.CallAsync(tool, new() { ["run_id"] = "no-such-run" });

        result.IsError.Should().BeTrue();
        text.Should().Contain("Run 'no-such-run' is unknown").And.Contain("list_runs");
    }

    [Fact]
    public async Task RunTool_InvalidRunId_ReturnsErrorResultSayingWhatARunIdIs()
    {
        await using var server = await McpTestServer.StartAsync();

        var (result, text) = await server.CallAsync("get_run_info", new() { ["run_id"] = "../etc/passwd" });

        result.IsError.Should().BeTrue();
        text.Should().Be("error: '../etc/passwd' is not a run id (1 to 128 letters, digits, '-', '_' or '.'); list_runs lists the runs.");
    }

    [Fact]
    public async Task RunTool_MissingRunId_ReturnsErrorResultNamingTheArgument()
    {
        await using var server = await McpTestServer.StartAsync();

        var (result, text) = await server.CallAsync("get_current_metrics");

        result.IsError.Should().BeTrue();
        text.Should().Contain("invalid arguments for get_current_metrics").And.Contain("run_id");
    }

    [Fact]
    public async Task RunTool_ArgumentOfTheWrongType_ReturnsErrorResult()
    {
        await using var server = await McpTestServer.StartAsync();

        var (result, text) = await server.CallAsync("list_runs", new() { ["limit"] = "many" });

        result.IsError.Should().BeTrue();
        text.Should().Contain("invalid arguments for list_runs");
    }

    [Fact]
    public async Task CompareRuns_UnknownOtherRun_ReturnsErrorResult()
    {
        await using var server = await McpTestServer.StartAsync();
        await server.PublishAsync(Metrics(new RunDescriptor("mnist-5"), 10, 1.5));

        var (result, text) = await server.CallAsync("compare_runs", new() { ["run_id"] = "mnist-5", ["other_run_id"] = "nope" });

        result.IsError.Should().BeTrue();
        text.Should().Contain("run \"nope\" is unknown");
    }

    internal static MetricEvent Metrics(RunDescriptor run, long step, double loss) =>
        new(run, step, new Dictionary<string, double> { [MetricNames.TrainLoss] = loss });

    internal static Task<McpTestServer> StartWithProposalsAsync() =>
        McpTestServer.StartAsync(sp => new FakeProposalService(sp.GetRequiredService<ITelemetryBus>()));
}
