using System.Net;
using System.Text.Json;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class ProposalEndpointsTests
{
    private const string LowerRate = """{"run_id":"run-a","commands":[{"action":"set_learning_rate","value":0.001}],"title":"Set the learning rate to 0.001 (0.01 ÷ 10)","rationale":"train_loss rose 3× in 50 steps.","expected_effect":"The loss falls again within 100 steps."}""";

    [Fact]
    public async Task Create_ValidBody_Returns201WithPendingExternalProposalAndLocation()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var response = await ProposalTestHost.PostAsync(server, "api/proposals", LowerRate);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var json = await ResponseAssertions.ReadJsonAsync(response);
        var id = json.GetProperty("proposal_id").GetString()!;
        response.Headers.Location!.OriginalString.Should().Be("/api/proposals/" + id);
        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.GetProperty("revision").GetInt32().Should().Be(1);
        json.GetProperty("state").GetString().Should().Be("pending");
        json.GetProperty("source").GetString().Should().Be("external");
        json.GetProperty("actor").GetString().Should().Be("anonymous");
        json.GetProperty("title").GetString().Should().Be("Set the learning rate to 0.001 (0.01 ÷ 10)");
        json.GetProperty("rationale").GetString().Should().Be("train_loss rose 3× in 50 steps.");
        json.GetProperty("expected_effect").GetString().Should().Be("The loss falls again within 100 steps.");
        json.GetProperty("commands").GetRawText().Should().Be("""[{"action":"set_learning_rate","value":0.001}]""");
        json.GetProperty("auto_applied").GetBoolean().Should().BeFalse();
        json.GetProperty("command_ids").GetArrayLength().Should().Be(0);
        json.GetProperty("previous_values").EnumerateObject().Should().BeEmpty();
        json.TryGetProperty("history", out _).Should().BeFalse("only GET /api/proposals/{id} has the history");
        var request = proposals.Requests.Should().ContainSingle().Subject;
        request.Source.Should().Be(ProposalSource.External);
        request.Commands.Should().ContainSingle().Which.Value.Should().Be(0.001);
    }

    [Fact]
    public async Task Create_RestoreCheckpoint_CarriesThePathAndTheRunAlias()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var response = await ProposalTestHost.PostAsync(server, "api/proposals",
            """{"run":"run-b","commands":[{"action":"restore_checkpoint","path":"checkpoints/step-400.pt"},{"action":"pause"}]}""");

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.GetProperty("run_id").GetString().Should().Be("run-b");
        json.GetProperty("commands").GetRawText().Should().Be("""[{"action":"restore_checkpoint","path":"checkpoints/step-400.pt"},{"action":"pause"}]""");
        proposals.Requests.Single().Commands[0].Path.Should().Be("checkpoints/step-400.pt");
    }

    [Theory]
    [InlineData(null, "alice", "alice")]
    [InlineData("bob", "alice", "bob")]
    [InlineData("bob", null, "bob")]
    public async Task Create_Actor_IsTheAuthenticatedUserElseTheBodys(string? user, string? bodyActor, string expected)
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var actor = bodyActor is null ? string.Empty : $",\"actor\":\"{bodyActor}\"";

        using var response = await ProposalTestHost.PostAsync(server, "api/proposals", $$"""{"run_id":"run-a","commands":[{"action":"pause"}]{{actor}}}""", user: user);

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("actor").GetString().Should().Be(expected);
        proposals.Requests.Single().Actor.Should().Be(expected);
    }

    [Theory]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"fly"}]}""", "Unknown action", "$.commands[0].action")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"set_learning_rate"}]}""", "Missing value", "$.commands[0].value")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"pause"},{"action":"set_learning_rate","value":"NaN"}]}""", "Invalid value", "$.commands[1].value")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"pause","value":1}]}""", "Unexpected value", "$.commands[0].value")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"restore_checkpoint"}]}""", "Missing path", "$.commands[0].path")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"pause","path":"a.pt"}]}""", "Unexpected path", "$.commands[0].path")]
    [InlineData("""{"run_id":"run-a","commands":[]}""", "Invalid commands", "$.commands")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"pause"},{"action":"pause"},{"action":"pause"},{"action":"pause"},{"action":"pause"},{"action":"pause"},{"action":"pause"},{"action":"pause"},{"action":"pause"}]}""", "Invalid commands", "$.commands")]
    [InlineData("""{"commands":[{"action":"pause"}]}""", "Invalid proposal request", "$.run_id")]
    [InlineData("""{"run_id":"bad$id","commands":[{"action":"pause"}]}""", "Invalid run id", "$.run_id")]
    [InlineData("""{"run_id":"run-a","run":"run-b","commands":[{"action":"pause"}]}""", "Invalid run id", "$.run")]
    [InlineData("""{"run_id":"run-a","commands":[{"action":"pause"}],"rationale":7}""", "Invalid rationale", "$.rationale")]
    public async Task Create_InvalidBody_Returns400NamingTheMember(string body, string title, string path)
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var response = await ProposalTestHost.PostAsync(server, "api/proposals", body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        problem.GetProperty("path").GetString().Should().Be(path);
        proposals.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task Create_ServiceRefusesTheValue_Returns400WithItsReason()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var response = await ProposalTestHost.PostAsync(server, "api/proposals", """{"run_id":"run-a","commands":[{"action":"set_learning_rate","value":-1}]}""");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Be("A learning rate must be positive; -1 was given.");
    }

    [Fact]
    public async Task Create_UnknownRunEndedRunOrNoJson_Returns404409And415()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        proposals.EndedRuns.Add("run-b");

        using var unknown = await ProposalTestHost.PostAsync(server, "api/proposals", """{"run_id":"run-x","commands":[{"action":"pause"}]}""");
        using var ended = await ProposalTestHost.PostAsync(server, "api/proposals", """{"run_id":"run-b","commands":[{"action":"pause"}]}""");
        using var text = await ProposalTestHost.PostAsync(server, "api/proposals", """{"run_id":"run-a","commands":[{"action":"pause"}]}""", contentType: "text/plain");

        (await ResponseAssertions.ShouldBeProblemAsync(unknown, HttpStatusCode.NotFound)).GetProperty("title").GetString().Should().Be("Run not found");
        var conflict = await ResponseAssertions.ShouldBeProblemAsync(ended, HttpStatusCode.Conflict);
        conflict.GetProperty("detail").GetString().Should().Be("Run 'run-b' has ended: there is nothing left to steer.");
        await ResponseAssertions.ShouldBeProblemAsync(text, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task List_RunAndStateFilters_ReturnLatestRevisionsNewestFirst()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var first = await CreateAsync(server, "run-a", "pause");
        var second = await CreateAsync(server, "run-a", "stop");
        var other = await CreateAsync(server, "run-b", "evaluate");
        await proposals.RejectAsync(second, "not now", "carol");

        var all = await GetJsonAsync(server, "api/proposals");
        var runA = await GetJsonAsync(server, "api/proposals?run=run-a");
        var pendingA = await GetJsonAsync(server, "api/proposals?run=run-a&state=pending");
        var limited = await GetJsonAsync(server, "api/proposals?limit=1");

        Ids(all).Should().Equal(other, second, first);
        Ids(runA).Should().Equal(second, first);
        runA.GetProperty("proposals")[0].GetProperty("state").GetString().Should().Be("rejected");
        runA.GetProperty("proposals")[0].GetProperty("revision").GetInt32().Should().Be(2);
        Ids(pendingA).Should().Equal(first);
        Ids(limited).Should().Equal(other);
    }

    [Theory]
    [InlineData("?state=done", "Invalid state")]
    [InlineData("?state=pending&state=approved", "Invalid state")]
    [InlineData("?limit=0", "Invalid limit")]
    [InlineData("?limit=10001", "Invalid limit")]
    [InlineData("?limit=abc", "Invalid limit")]
    [InlineData("?run=bad$id", "Invalid run id")]
    public async Task List_InvalidQuery_Returns400(string query, string title)
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var response = await server.Client.GetAsync("api/proposals" + query);

        (await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("title").GetString().Should().Be(title);
    }

    [Fact]
    public async Task Get_DecidedProposal_ReturnsLatestRevisionWithItsHistory()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "save_checkpoint");
        using var approved = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", """{"actor":"dave"}""");

        var json = await GetJsonAsync(server, $"api/proposals/{id}");

        json.GetProperty("state").GetString().Should().Be("approved");
        json.GetProperty("revision").GetInt32().Should().Be(2);
        json.GetProperty("actor").GetString().Should().Be("dave");
        var history = json.GetProperty("history").EnumerateArray().ToList();
        history.Select(h => (h.GetProperty("revision").GetInt32(), h.GetProperty("state").GetString(), h.GetProperty("actor").GetString()))
            .Should().Equal((1, "pending", "anonymous"), (2, "approved", "dave"));
        history.Select(h => h.GetProperty("proposal_id").GetString()).Should().OnlyContain(p => p == id);
        history.Select(h => h.TryGetProperty("history", out var _)).Should().OnlyContain(nested => !nested);
        history[1].GetProperty("created_at").GetDouble().Should().Be(history[0].GetProperty("created_at").GetDouble());
    }

    [Fact]
    public async Task Get_UnknownOrMalformedId_Returns404Or400()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        using var unknown = await server.Client.GetAsync("api/proposals/prop_missing");
        using var malformed = await server.Client.GetAsync("api/proposals/bad$id");

        (await ResponseAssertions.ShouldBeProblemAsync(unknown, HttpStatusCode.NotFound)).GetProperty("detail").GetString().Should().Be("Proposal 'prop_missing' is unknown.");
        await ResponseAssertions.ShouldBeProblemAsync(malformed, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Approve_EmptyJsonBody_Returns200ApprovedAndTheSecondApprovalIs409WithTheState()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "pause");

        using var approved = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", json: null);
        using var again = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", json: null);

        approved.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await ResponseAssertions.ReadJsonAsync(approved);
        json.GetProperty("state").GetString().Should().Be("approved");
        json.GetProperty("actor").GetString().Should().Be("anonymous");
        var conflict = await ResponseAssertions.ShouldBeProblemAsync(again, HttpStatusCode.Conflict);
        conflict.GetProperty("title").GetString().Should().Be("Proposal not pending");
        conflict.GetProperty("state").GetString().Should().Be("approved");
        conflict.GetProperty("proposal_id").GetString().Should().Be(id);
        proposals.Decisions.Select(d => d.Actor).Should().Equal("anonymous", "anonymous");
    }

    [Fact]
    public async Task Approve_AuthenticatedUser_IgnoresTheBodysActor()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "pause");

        using var response = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", """{"actor":"mallory"}""", user: "erin");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("actor").GetString().Should().Be("erin");
        proposals.Decisions.Should().ContainSingle().Which.Actor.Should().Be("erin");
    }

    [Fact]
    public async Task Approve_UnknownIdOrNoContentType_Returns404Or415AndDecidesNothing()
    {
        var (server, proposals) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "pause");

        using var unknown = await ProposalTestHost.PostAsync(server, "api/proposals/prop_missing/approve", json: null);
        using var simple = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", json: null, contentType: null);

        (await ResponseAssertions.ShouldBeProblemAsync(unknown, HttpStatusCode.NotFound)).GetProperty("title").GetString().Should().Be("Proposal not found");
        await ResponseAssertions.ShouldBeProblemAsync(simple, HttpStatusCode.UnsupportedMediaType);
        proposals.Decisions.Select(d => d.ProposalId).Should().Equal("prop_missing");
        (await proposals.GetAsync(id))!.State.Should().Be(ProposalState.Pending);
    }

    [Fact]
    public async Task Reject_WithReason_Returns200RejectedWithReasonThenApproveIs409()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "stop");

        using var rejected = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/reject", """{"reason":"The run is nearly done.","actor":"frank"}""");
        using var approve = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/approve", "{}");

        rejected.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await ResponseAssertions.ReadJsonAsync(rejected);
        json.GetProperty("state").GetString().Should().Be("rejected");
        json.GetProperty("reason").GetString().Should().Be("The run is nearly done.");
        json.GetProperty("actor").GetString().Should().Be("frank");
        (await ResponseAssertions.ShouldBeProblemAsync(approve, HttpStatusCode.Conflict)).GetProperty("state").GetString().Should().Be("rejected");
    }

    [Theory]
    [InlineData("""{"reason":5}""", "Invalid reason")]
    [InlineData("""["no"]""", "Invalid proposal request")]
    [InlineData("""{"actor":true}""", "Invalid actor")]
    public async Task Reject_InvalidBody_Returns400(string body, string title)
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "stop");

        using var response = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/reject", body);

        (await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("title").GetString().Should().Be(title);
    }

    [Fact]
    public async Task Reject_ReasonTooLongForTheService_Returns400WithItsReason()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;
        var id = await CreateAsync(server, "run-a", "stop");

        using var response = await ProposalTestHost.PostAsync(server, $"api/proposals/{id}/reject", JsonSerializer.Serialize(new { reason = new string('x', 4001) }));

        (await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString()
            .Should().Be("The reason is 4,001 characters long; the most is 4,000.");
    }

    [Fact]
    public async Task Endpoints_NoProposalServiceRegistered_AreNotMapped()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var list = await server.Client.GetAsync("api/proposals");
        using var stats = await server.Client.GetAsync("api/assistant/stats");

        list.StatusCode.Should().Be(HttpStatusCode.NotFound);
        stats.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    internal static async Task<string> CreateAsync(StreamingTestServer server, string runId, string action)
    {
        using var response = await ProposalTestHost.PostAsync(server, "api/proposals", $$"""{"run_id":"{{runId}}","commands":[{"action":"{{action}}"}]}""");
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        return (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("proposal_id").GetString()!;
    }

    private static async Task<JsonElement> GetJsonAsync(StreamingTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await ResponseAssertions.ReadJsonAsync(response);
    }

    private static List<string?> Ids(JsonElement list) =>
        [.. list.GetProperty("proposals").EnumerateArray().Select(p => p.GetProperty("proposal_id").GetString())];
}
