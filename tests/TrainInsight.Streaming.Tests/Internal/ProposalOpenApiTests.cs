using System.Net;
using System.Text.Json;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Internal;

public sealed class ProposalOpenApiTests
{
    private const string DocumentPath = "openapi/traininsight.json";

    public static readonly TheoryData<string, string, string, string[]> Operations = new()
    {
        { "/api/proposals", "get", "TrainInsight.Proposals.List", ["200", "400"] },
        { "/api/proposals", "post", "TrainInsight.Proposals.Create", ["201", "400", "404", "409", "413", "415"] },
        { "/api/proposals/{id}", "get", "TrainInsight.Proposals.Get", ["200", "400", "404"] },
        { "/api/proposals/{id}/approve", "post", "TrainInsight.Proposals.Approve", ["200", "400", "404", "409", "413", "415"] },
        { "/api/proposals/{id}/reject", "post", "TrainInsight.Proposals.Reject", ["200", "400", "404", "409", "413", "415"] },
        { "/api/assistant/stats", "get", "TrainInsight.Assistant.Stats", ["200", "400"] },
    };

    [Fact]
    public async Task Document_ProposalServiceRegistered_ListsExactlyTheProposalPathsMore()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;
        await using var without = await StreamingTestServer.StartAsync();

        var paths = Names((await GetJsonAsync(server)).GetProperty("paths"));
        var basePaths = Names((await GetJsonAsync(without)).GetProperty("paths"));

        paths.Except(basePaths).Should().BeEquivalentTo(Operations.Select(o => (string)o[0]).Distinct());
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Document_EachProposalOperation_HasNameSummaryTagAndStatusCodes(string path, string method, string operationId, string[] statusCodes)
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        var operation = (await GetJsonAsync(server)).GetProperty("paths").GetProperty(path).GetProperty(method);

        operation.GetProperty("operationId").GetString().Should().Be(operationId);
        operation.GetProperty("summary").GetString().Should().NotBeNullOrWhiteSpace();
        operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("TrainInsight");
        Names(operation.GetProperty("responses")).Should().BeEquivalentTo(statusCodes);
    }

    [Fact]
    public async Task Document_ProposalSchemas_HaveTheWireMembers()
    {
        var (server, _) = await ProposalTestHost.StartAsync();
        await using var host = server;

        var document = await GetJsonAsync(server);

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Names(schemas.GetProperty("ProposalModel").GetProperty("properties")).Should().Contain(
            ["proposal_id", "run_id", "revision", "state", "source", "title", "commands", "actor", "reason", "auto_applied", "command_ids", "previous_values", "outcome", "history"]);
        Names(schemas.GetProperty("ProposalCountsModel").GetProperty("properties")).Should().Contain(["proposed", "adoption_rate", "helped_rate"]);
        Names(schemas.GetProperty("FixCommandModel").GetProperty("properties")).Should().Equal("action", "value", "path");
        var state = document.GetProperty("paths").GetProperty("/api/proposals").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == "state");
        state.GetProperty("schema").GetProperty("enum").EnumerateArray().Select(e => e.GetString())
            .Should().Equal("pending", "approved", "applied", "failed", "rejected", "expired");
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static async Task<JsonElement> GetJsonAsync(StreamingTestServer server)
    {
        using var response = await server.Client.GetAsync(DocumentPath);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
