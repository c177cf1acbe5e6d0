using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ModelContextProtocol;
using TrainInsight.Mcp.Internal.Tools;
using TrainInsight.Mcp.Tests.Infrastructure;

namespace TrainInsight.Mcp.Tests.Tools;

/// <summary>The proposal tools over real HTTP: an MCP client can propose, never control.</summary>
public sealed class ProposalToolsTests
{
    [Fact]
    public async Task ProposeControlAction_ValidAction_MakesPendingExternalProposalAndSubmitsNothingToTheTrainer()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        var fake = (FakeProposalService)server.App.Services.GetRequiredService<IProposalService>();
        var run = new RunDescriptor("live-1");
        using var receiver = server.Control.Attach(run.Id);
        await server.PublishAsync(McpToolsTests.Metrics(run, 100, 2.5));

        var (result, text) = await server.CallAsync("propose_control_action", new()
        {
            ["run_id"] = "live-1",
            ["action"] = "set_learning_rate",
            ["value"] = 0.001,
            ["rationale"] = "train_loss rose from 1.2 to 2.5 over the last 100 steps",
        });

        result.IsError.Should().NotBe(true, text);
        using var json = JsonDocument.Parse(text);
        json.RootElement.GetProperty("state").GetString().Should().Be("pending");
        json.RootElement.GetProperty("id").GetString().Should().StartWith("prop_");
        json.RootElement.GetProperty("note").GetString().Should().Contain("nothing was sent to the trainer").And.Contain("A person must approve it");
        var request = fake.Requests.Should().ContainSingle().Subject;
        request.RunId.Should().Be("live-1");
        request.Source.Should().Be(ProposalSource.External);
        request.Actor.Should().Be("mcp:" + McpTestServer.ClientName);
        request.Rationale.Should().Be("train_loss rose from 1.2 to 2.5 over the last 100 steps");
        request.Commands.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Action = ControlAction.SetLearningRate, Value = (double?)0.001, Path = (string?)null });
        receiver.TryTake(out var command).Should().BeFalse($"an MCP proposal submits nothing, but the trainer got {command?.Action}");
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("Pause")]
    [InlineData("set_lr")]
    public async Task ProposeControlAction_UnknownAction_ReturnsErrorListingTheActionsAndProposesNothing(string action)
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        var fake = (FakeProposalService)server.App.Services.GetRequiredService<IProposalService>();
        await server.PublishAsync(McpToolsTests.Metrics(new RunDescriptor("live-2"), 1, 1));

        var (result, text) = await server.CallAsync("propose_control_action", new() { ["run_id"] = "live-2", ["action"] = action, ["rationale"] = "because" });

        result.IsError.Should().BeTrue();
        text.Should().Be($"error: action '{action}' is unknown; use one of: pause, resume, stop, set_learning_rate, set_weight_decay, save_checkpoint, evaluate, set_early_stopping, restore_checkpoint. Nothing was proposed.");
        fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task ProposeControlAction_ValueTheServiceRejects_ReturnsItsMessage()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        await server.PublishAsync(McpToolsTests.Metrics(new RunDescriptor("live-3"), 1, 1));

        var (result, text) = await server.CallAsync("propose_control_action", new()
        {
            ["run_id"] = "live-3",
            ["action"] = "set_learning_rate",
            ["value"] = 50,
            ["rationale"] = "faster",
        });

        result.IsError.Should().BeTrue();
        text.Should().StartWith("error: Command 1: set_learning_rate needs a value greater than 0 and at most 10.").And.EndWith("Nothing was proposed.");
    }

    [Fact]
    public async Task ProposeControlAction_UnknownRun_ReturnsErrorNamingTheRun()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();

        var (result, text) = await server.CallAsync("propose_control_action", new() { ["run_id"] = "ghost", ["action"] = "pause", ["rationale"] = "x" });

        result.IsError.Should().BeTrue();
        text.Should().Be("error: Run 'ghost' is unknown. Nothing was proposed.");
    }

    [Fact]
    public async Task ProposeControlAction_EmptyRationale_ReturnsErrorAndProposesNothing()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        var fake = (FakeProposalService)server.App.Services.GetRequiredService<IProposalService>();
        await server.PublishAsync(McpToolsTests.Metrics(new RunDescriptor("live-4"), 1, 1));

        var (result, text) = await server.CallAsync("propose_control_action", new() { ["run_id"] = "live-4", ["action"] = "stop", ["rationale"] = " " });

        result.IsError.Should().BeTrue();
        text.Should().Contain("rationale is required");
        fake.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task GetProposal_AfterTransitions_ReturnsTheLatestRevisionAndTheWholeAuditTrail()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        var fake = (FakeProposalService)server.App.Services.GetRequiredService<IProposalService>();
        await server.PublishAsync(McpToolsTests.Metrics(new RunDescriptor("live-5"), 1, 1));
        var (_, made) = await server.CallAsync("propose_control_action", new() { ["run_id"] = "live-5", ["action"] = "save_checkpoint", ["rationale"] = "before the schedule's drop" });
        var id = JsonDocument.Parse(made).RootElement.GetProperty("id").GetString()!;
        fake.Transition(id, ProposalState.Rejected, "alice");

        var (result, text) = await server.CallAsync("get_proposal", new() { ["proposal_id"] = id });

        result.IsError.Should().NotBe(true, text);
        using var json = JsonDocument.Parse(text);
        var proposal = json.RootElement.GetProperty("proposal");
        proposal.GetProperty("state").GetString().Should().Be("rejected");
        proposal.GetProperty("source").GetString().Should().Be("external");
        proposal.GetProperty("commands")[0].GetProperty("action").GetString().Should().Be("save_checkpoint");
        proposal.GetProperty("rationale").GetString().Should().Be("before the schedule's drop");
        json.RootElement.GetProperty("history").EnumerateArray()
            .Select(r => (r.GetProperty("revision").GetInt32(), r.GetProperty("state").GetString(), r.GetProperty("actor").GetString()))
            .Should().Equal((1, "pending", "mcp:" + McpTestServer.ClientName), (2, "rejected", "alice"));
    }

    [Fact]
    public async Task GetProposal_UnknownId_ReturnsErrorResult()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();

        var (result, text) = await server.CallAsync("get_proposal", new() { ["proposal_id"] = "prop_0000" });

        result.IsError.Should().BeTrue();
        text.Should().Be("error: proposal 'prop_0000' is unknown; list_proposals lists the proposals.");
    }

    [Fact]
    public async Task ListProposals_ByRunAndState_ReturnsOnlyThoseProposals()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        await server.PublishAsync(McpToolsTests.Metrics(new RunDescriptor("live-6"), 1, 1), McpToolsTests.Metrics(new RunDescriptor("live-7"), 1, 1));
        await server.CallAsync("propose_control_action", new() { ["run_id"] = "live-6", ["action"] = "pause", ["rationale"] = "look at it" });
        await server.CallAsync("propose_control_action", new() { ["run_id"] = "live-7", ["action"] = "evaluate", ["rationale"] = "check val" });

        var (result, text) = await server.CallAsync("list_proposals", new() { ["run_id"] = "live-7", ["state"] = "pending" });

        result.IsError.Should().NotBe(true, text);
        using var json = JsonDocument.Parse(text);
        json.RootElement.GetProperty("count").GetInt32().Should().Be(1);
        json.RootElement.GetProperty("proposals")[0].GetProperty("commands")[0].GetProperty("action").GetString().Should().Be("evaluate");
    }

    [Fact]
    public async Task ListProposals_UnknownState_ReturnsErrorListingTheStates()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();

        var (result, text) = await server.CallAsync("list_proposals", new() { ["state"] = "done" });

        result.IsError.Should().BeTrue();
        text.Should().Be("error: state 'done' is unknown; use one of: pending, approved, applied, failed, rejected, expired.");
    }

    [Fact]
    public async Task ListProposals_ServiceFails_ReturnsErrorResultAndCountsTheFailure()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        var fake = (FakeProposalService)server.App.Services.GetRequiredService<IProposalService>();
        fake.ListFailure = new InvalidOperationException("the store is gone");

        var (result, text) = await server.CallAsync("list_proposals");

        result.IsError.Should().BeTrue();
        text.Should().Be("error: list_proposals failed on the server (InvalidOperationException); the server's log has the details.");
        server.App.Services.GetRequiredService<McpToolFailures>().Count.Should().Be(1);
    }

    [Fact]
    public async Task CallTool_Approve_IsRejectedAsAnUnknownTool()
    {
        await using var server = await McpToolsTests.StartWithProposalsAsync();
        var fake = (FakeProposalService)server.App.Services.GetRequiredService<IProposalService>();

        var call = () => server.CallAsync("approve_proposal", new() { ["proposal_id"] = "prop_1" });

        (await call.Should().ThrowAsync<McpProtocolException>()).Which.Message.Should().Contain("approve_proposal");
        fake.Requests.Should().BeEmpty();
    }
}
