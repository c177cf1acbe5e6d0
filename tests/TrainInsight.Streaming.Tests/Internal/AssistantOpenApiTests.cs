using System.Net;
using System.Text.Json;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Internal;

public sealed class AssistantOpenApiTests
{
    private const string DocumentPath = "openapi/traininsight.json";

    public static readonly TheoryData<string, string, string> Operations = new()
    {
        { "/api/assistant/analyze", "post", "TrainInsight.Assistant.Analyze" },
        { "/api/assistant/suggest", "post", "TrainInsight.Assistant.Suggest" },
        { "/api/assistant/diagnose", "post", "TrainInsight.Assistant.Diagnose" },
        { "/api/assistant/chat", "post", "TrainInsight.Assistant.Chat" },
        { "/api/assistant/conversations/{conversation_id}", "get", "TrainInsight.Assistant.GetConversation" },
    };

    [Fact]
    public async Task Document_AssistantRegistered_ListsTheFiveAssistantPaths()
    {
        await using var server = await AssistantTestHost.StartAsync(new FakeTrainingAssistant());
        await using var without = await StreamingTestServer.StartAsync();

        var paths = (await GetJsonAsync(server, DocumentPath)).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        var basePaths = (await GetJsonAsync(without, DocumentPath)).GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        paths.Except(basePaths).Should().BeEquivalentTo(Operations.Select(o => (string)o[0]));
        basePaths.Should().NotContain(p => p.StartsWith("/api/assistant", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Operations))]
    public async Task Document_EachAssistantOperation_HasNameSummaryTagAndProblems(string path, string method, string operationId)
    {
        await using var server = await AssistantTestHost.StartAsync(new FakeTrainingAssistant());

        var operation = (await GetJsonAsync(server, DocumentPath)).GetProperty("paths").GetProperty(path).GetProperty(method);

        operation.GetProperty("operationId").GetString().Should().Be(operationId);
        operation.GetProperty("summary").GetString().Should().NotBeNullOrWhiteSpace();
        operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()).Should().Equal("TrainInsight");
        var responses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
        responses.Should().BeEquivalentTo(method == "post" ? ["200", "400", "404", "413", "415"] : new[] { "200", "400", "404" });
        foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] == '4'))
        {
            response.Value.GetProperty("content").EnumerateObject().Select(c => c.Name).Should().Equal("application/problem+json");
        }
    }

    [Fact]
    public async Task Document_AssistantOperations_DescribeBodiesContentTypesAndParameters()
    {
        await using var server = await AssistantTestHost.StartAsync(new FakeTrainingAssistant());

        var document = await GetJsonAsync(server, DocumentPath);

        var paths = document.GetProperty("paths");
        ContentTypes(paths.GetProperty("/api/assistant/analyze").GetProperty("post")).Should().BeEquivalentTo("application/json", "text/event-stream");
        ContentTypes(paths.GetProperty("/api/assistant/chat").GetProperty("post")).Should().BeEquivalentTo("application/json", "text/event-stream");
        ContentTypes(paths.GetProperty("/api/assistant/suggest").GetProperty("post")).Should().Equal("application/json");
        BodyProperties(document, "/api/assistant/analyze").Should().Equal("run_id", "language", "stream");
        BodyProperties(document, "/api/assistant/suggest").Should().Equal("run_id", "language");
        BodyProperties(document, "/api/assistant/diagnose").Should().Equal("run_id", "language");
        BodyProperties(document, "/api/assistant/chat").Should().Equal("run_id", "message", "conversation_id", "language", "stream");

        var conversation = paths.GetProperty("/api/assistant/conversations/{conversation_id}").GetProperty("get");
        var parameters = conversation.GetProperty("parameters").EnumerateArray().ToList();
        parameters.Select(p => $"{p.GetProperty("in").GetString()}:{p.GetProperty("name").GetString()}:{p.GetProperty("required").GetBoolean()}")
            .Should().BeEquivalentTo("path:conversation_id:True", "query:run_id:True");
        parameters.Should().OnlyContain(p => p.GetProperty("schema").GetProperty("maxLength").GetInt32() == 128);
    }

    [Fact]
    public async Task Document_AnswerAndConversationSchemas_NameWhatTheEndpointsSend()
    {
        var assistant = new FakeTrainingAssistant();
        assistant.Conversations["c-1"] =
            [new ConversationMessage { RunId = "run-a", ConversationId = "c-1", Role = ConversationRole.User, Text = "Why?", Timestamp = DateTimeOffset.UnixEpoch }];
        await using var server = await AssistantTestHost.StartAsync(assistant);
        var document = await GetJsonAsync(server, DocumentPath);
        using var chat = await AssistantTestHost.PostAsync(server, "api/assistant/chat", """{"run_id":"run-a","message":"hi","stream":false}""");
        var answer = await ResponseAssertions.ReadJsonAsync(chat);
        var conversation = await GetJsonAsync(server, "api/assistant/conversations/c-1?run_id=run-a");

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Properties(schemas, "AssistantAnswerModel").Should().Equal(Names(answer));
        Properties(schemas, "AssistantUsageModel").Should().Equal(Names(answer.GetProperty("usage")));
        Properties(schemas, "HyperparameterSuggestionModel").Should().Equal(Names(answer.GetProperty("suggestions")[0]));
        Properties(schemas, "FindingEventModel").Should().Equal(Names(answer.GetProperty("findings")[0]));
        Properties(schemas, "ConversationResponseModel").Should().Equal(Names(conversation));
        Properties(schemas, "ConversationMessageModel").Should().Equal(Names(conversation.GetProperty("messages")[0]));
        var answerSchema = paths(document, "/api/assistant/suggest").GetProperty("post").GetProperty("responses").GetProperty("200")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString();
        answerSchema.Should().EndWith("/AssistantAnswerModel");

        static JsonElement paths(JsonElement document, string path) => document.GetProperty("paths").GetProperty(path);
    }

    private static IEnumerable<string> ContentTypes(JsonElement operation) =>
        operation.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name).ToList();

    private static List<string> BodyProperties(JsonElement document, string path)
    {
        var schema = document.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        if (schema.TryGetProperty("$ref", out var reference))
        {
            schema = document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1]);
        }

        return [.. schema.GetProperty("properties").EnumerateObject().Select(p => p.Name)];
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static List<string> Properties(JsonElement schemas, string name) =>
        [.. schemas.GetProperty(name).GetProperty("properties").EnumerateObject().Select(p => p.Name)];

    private static async Task<JsonElement> GetJsonAsync(StreamingTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
