using System.Net;
using System.Text.Json;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class AssistantEndpointsTests
{
    private static readonly string[] s_answerMembers =
        ["run_id", "operation", "source", "text", "language", "notice", "model_id", "usage", "context_tokens", "elapsed_ms", "findings", "suggestions", "proposals"];

    [Theory]
    [InlineData("POST", "api/assistant/analyze")]
    [InlineData("POST", "api/assistant/suggest")]
    [InlineData("POST", "api/assistant/diagnose")]
    [InlineData("POST", "api/assistant/chat")]
    [InlineData("GET", "api/assistant/conversations/c-1?run_id=run-a")]
    public async Task MapTrainInsight_NoAssistantRegistered_AssistantEndpointsAreNotMapped(string method, string path)
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = method == "GET"
            ? await server.Client.GetAsync(path)
            : await AssistantTestHost.PostAsync(server, path, """{"run_id":"run-a","message":"hi"}""");

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("api/assistant/analyze", "analyze", AssistantOperation.Analyze)]
    [InlineData("api/assistant/suggest", "suggest", AssistantOperation.Suggest)]
    [InlineData("api/assistant/diagnose", "diagnose", AssistantOperation.Diagnose)]
    public async Task Answer_ValidBody_ReturnsJsonAnswerWithEveryMember(string path, string operation, AssistantOperation expected)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, path, """{"run_id":"run-a","language":"zh-CN"}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.EnumerateObject().Select(p => p.Name).Should().Equal(s_answerMembers);
        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.GetProperty("operation").GetString().Should().Be(operation);
        json.GetProperty("source").GetString().Should().Be("model");
        json.GetProperty("text").GetString().Should().Be($"The {expected} of run-a: lower the learning rate.");
        json.GetProperty("language").GetString().Should().Be("zh-CN");
        json.GetProperty("notice").GetString().Should().Be("Repaired in the model's output: priority 0 → 1.");
        json.GetProperty("model_id").GetString().Should().Be("qwen2.5-7b-instruct");
        JsonSerializer.Serialize(json.GetProperty("usage")).Should().Be("""{"input_tokens":1234,"output_tokens":56}""");
        json.GetProperty("context_tokens").GetInt32().Should().Be(900);
        json.GetProperty("elapsed_ms").GetInt64().Should().Be(1_500);
        ShouldBeCannedSuggestions(json.GetProperty("suggestions"), assistant.Finding.FindingId);

        var finding = json.GetProperty("findings").EnumerateArray().Should().ContainSingle().Subject;
        finding.GetProperty("event_type").GetString().Should().Be("finding");
        finding.GetProperty("data").GetProperty("finding_id").GetString().Should().Be(assistant.Finding.FindingId);

        var call = assistant.Calls.Should().ContainSingle().Subject;
        call.Operation.Should().Be(expected);
        call.Request.Should().BeOfType<AssistantRequest>();
        call.Request.RunId.Should().Be("run-a");
        call.Request.Language.Should().Be("zh-CN");
    }

    [Fact]
    public async Task Answer_NullsAndNoLanguage_WritesNullMembersAndPassesNullLanguage()
    {
        var assistant = new FakeTrainingAssistant
        {
            Answer = (operation, request) => new AssistantAnswer
            {
                RunId = request.RunId,
                Operation = operation,
                Source = AssistantSource.Rules,
                Text = "Rules say: fine.",
                Language = "en",
            },
        };
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/diagnose", """{"run_id":"run-a","language":null,"extra":1}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be(
            """{"run_id":"run-a","operation":"diagnose","source":"rules","text":"Rules say: fine.","language":"en","notice":null,"model_id":null,"usage":{"input_tokens":null,"output_tokens":null},"context_tokens":0,"elapsed_ms":0,"findings":[],"suggestions":[],"proposals":[]}""");
        assistant.Calls.Should().ContainSingle().Which.Request.Language.Should().BeNull();
    }

    [Fact]
    public async Task Answer_Proposals_AreWrittenAsProposalDocuments()
    {
        var proposal = TestEvents.MeasuredProposal(new RunDescriptor("run-a"));
        var assistant = new FakeTrainingAssistant
        {
            Answer = (operation, request) => new AssistantAnswer
            {
                RunId = request.RunId,
                Operation = operation,
                Source = AssistantSource.Rules,
                Text = "Proposed: lower the learning rate.",
                Language = "en",
                Proposals = [proposal],
            },
        };
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/suggest", """{"run_id":"run-a"}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().EndWith(
            "\"suggestions\":[],\"proposals\":[" + Serialization.ProposalWireFormatTests.MeasuredProposalData + "]}");
    }

    [Fact]
    public async Task Answer_Findings_AreExactlyTheItemsOfTheFindingsEndpoint()
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant, configureBus: o => o.StoreFlushInterval = TimeSpan.FromMilliseconds(20));
        await server.PublishAsync(assistant.Finding);
        await server.WaitForStoreAsync(assistant.Finding);
        using var findings = await server.Client.GetAsync("api/runs/run-a/findings");
        var expected = (await ResponseAssertions.ReadJsonAsync(findings)).GetProperty("findings")[0].GetRawText();

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/suggest", """{"run_id":"run-a"}""");

        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.GetProperty("findings").EnumerateArray().Select(f => f.GetRawText()).Should().Equal(expected);
        json.GetProperty("findings")[0].GetProperty("offset").GetInt64().Should().Be(assistant.Finding.Offset).And.BePositive();
    }

    [Fact]
    public async Task Chat_StreamFalse_ReturnsJsonAnswerWithConversationIdAndPassesEveryField()
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(
            server, "api/assistant/chat", """{"run_id":"run-a","message":"Why is the loss flat?","conversation_id":"c-42","language":"en","stream":false}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.EnumerateObject().Select(p => p.Name).Should().Equal(
            "run_id", "operation", "source", "text", "language", "notice", "conversation_id", "model_id", "usage", "context_tokens", "elapsed_ms", "findings", "suggestions", "proposals");
        json.GetProperty("operation").GetString().Should().Be("chat");
        json.GetProperty("conversation_id").GetString().Should().Be("c-42");
        var request = assistant.Calls.Should().ContainSingle().Which.Request.Should().BeOfType<AssistantChatRequest>().Subject;
        request.RunId.Should().Be("run-a");
        request.Message.Should().Be("Why is the loss flat?");
        request.ConversationId.Should().Be("c-42");
        request.Language.Should().Be("en");
    }

    [Fact]
    public async Task Chat_MessageOfMaxLength_IsAccepted()
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);
        var message = new string('a', AssistantChatRequest.MaxMessageLength);

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", $$"""{"run_id":"run-a","message":"{{message}}","stream":false}""");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        assistant.Calls.Should().ContainSingle().Which.Request.Should().BeOfType<AssistantChatRequest>().Which.Message.Should().HaveLength(8_000);
    }

    public static readonly TheoryData<string, string, string, string> BadBodies = new()
    {
        { "api/assistant/analyze", "{", "Malformed JSON", "not valid JSON" },
        { "api/assistant/analyze", "[1]", "Invalid assistant request", "JSON object" },
        { "api/assistant/suggest", "\"run-a\"", "Invalid assistant request", "JSON object" },
        { "api/assistant/suggest", "{}", "Invalid assistant request", "\"run_id\"" },
        { "api/assistant/diagnose", """{"run_id":null}""", "Invalid assistant request", "\"run_id\"" },
        { "api/assistant/diagnose", """{"run_id":5}""", "Invalid run id", "\"run_id\"" },
        { "api/assistant/analyze", """{"run_id":"bad$id"}""", "Invalid run id", "Run id 'bad$id' is invalid" },
        { "api/assistant/chat", """{"run_id":"","message":"hi"}""", "Invalid run id", "Run id '' is invalid" },
        { "api/assistant/suggest", """{"run_id":"run-a","language":"en_US"}""", "Invalid language", "Language 'en_US' is not a BCP 47 tag" },
        { "api/assistant/suggest", """{"run_id":"run-a","language":""}""", "Invalid language", "Language '' is not a BCP 47 tag" },
        { "api/assistant/analyze", """{"run_id":"run-a","language":7}""", "Invalid language", "must be a string" },
        { "api/assistant/analyze", """{"run_id":"run-a","stream":"yes"}""", "Invalid stream", "true or false" },
        { "api/assistant/chat", """{"run_id":"run-a"}""", "Invalid assistant request", "\"message\"" },
        { "api/assistant/chat", """{"run_id":"run-a","message":3}""", "Invalid message", "\"message\"" },
        { "api/assistant/chat", """{"run_id":"run-a","message":""}""", "Invalid message", "empty" },
        { "api/assistant/chat", """{"run_id":"run-a","message":"   "}""", "Invalid message", "The message is empty" },
        { "api/assistant/chat", $$"""{"run_id":"run-a","message":"{{new string('a', 8_001)}}"}""", "Invalid message", "at most 8,000 characters; got 8,001" },
        { "api/assistant/chat", """{"run_id":"run-a","message":"hi","conversation_id":"bad id"}""", "Invalid conversation id", "Conversation id 'bad id' is invalid" },
        { "api/assistant/chat", """{"run_id":"run-a","message":"hi","conversation_id":5}""", "Invalid conversation id", "must be a string" },
        { "api/assistant/chat", """{"run_id":"run-a","message":"hi","language":"zh CN"}""", "Invalid language", "Language 'zh CN'" },
        { "api/assistant/chat", """{"run_id":"run-a","message":"hi","stream":1}""", "Invalid stream", "true or false" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Post_BadBody_Returns400ProblemAndCallsNothing(string path, string body, string title, string detail)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, path, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        problem.GetProperty("detail").GetString().Should().Contain(detail).And.NotContain("(Parameter");
        assistant.Calls.Should().BeEmpty();
    }

    [Theory]
    [InlineData("api/assistant/analyze", """{"run_id":"missing-run"}""", 1)]
    [InlineData("api/assistant/analyze", """{"run_id":"missing-run","stream":false}""", 1)]
    [InlineData("api/assistant/analyze", """{"run_id":"missing-run","stream":true}""", 0)]
    [InlineData("api/assistant/suggest", """{"run_id":"missing-run"}""", 1)]
    [InlineData("api/assistant/diagnose", """{"run_id":"missing-run"}""", 1)]
    [InlineData("api/assistant/chat", """{"run_id":"missing-run","message":"hi","stream":false}""", 0)]
    [InlineData("api/assistant/chat", """{"run_id":"missing-run","message":"hi"}""", 0)]
    public async Task Post_UnknownRun_Returns404Problem(string path, string body, int assistantCalls)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, path, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("Run not found");
        problem.GetProperty("detail").GetString().Should().Be("Run 'missing-run' is unknown: neither the bus nor the store has an event of it.");
        assistant.Calls.Should().HaveCount(assistantCalls, "chat and streamed analyses check the run before they start, the others ask the assistant");
    }

    [Theory]
    [InlineData("api/assistant/analyze", "text/plain")]
    [InlineData("api/assistant/suggest", "")]
    [InlineData("api/assistant/diagnose", "application/json; charset=utf-16")]
    [InlineData("api/assistant/chat", "application/x-www-form-urlencoded")]
    public async Task Post_NotJson_Returns415(string path, string contentType)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, path, """{"run_id":"run-a","message":"hi"}""", contentType: contentType);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        assistant.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task Post_BodyOverLimit_Returns413()
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant, configureStreaming: o => o.MaxRequestBodyBytes = 1024);

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", $$"""{"run_id":"run-a","message":"{{new string('a', 2_000)}}"}""");

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        assistant.Calls.Should().BeEmpty();
    }

    [Fact]
    public async Task GetConversation_Known_ReturnsMessagesOldestFirst()
    {
        var assistant = new FakeTrainingAssistant();
        var asked = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_250);
        assistant.Conversations["c-1"] =
        [
            new ConversationMessage { RunId = "run-a", ConversationId = "c-1", Role = ConversationRole.User, Text = "Why?", Timestamp = asked },
            new ConversationMessage { RunId = "run-a", ConversationId = "c-1", Role = ConversationRole.Assistant, Text = "Because.", Timestamp = asked.AddSeconds(2), Source = AssistantSource.Rules },
            new ConversationMessage { RunId = "run-a", ConversationId = "c-1", Role = ConversationRole.Assistant, Text = "Really.", Timestamp = asked.AddSeconds(3), Source = AssistantSource.Model },
        ];
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await server.Client.GetAsync("api/assistant/conversations/c-1?run_id=run-a");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await response.Content.ReadAsStringAsync()).Should().Be(
            """{"run_id":"run-a","conversation_id":"c-1","messages":[""" +
            """{"role":"user","text":"Why?","timestamp":1767225600.25,"source":null},""" +
            """{"role":"assistant","text":"Because.","timestamp":1767225602.25,"source":"rules"},""" +
            """{"role":"assistant","text":"Really.","timestamp":1767225603.25,"source":"model"}]}""");
        assistant.ConversationReads.Should().Equal(("run-a", "c-1"));
    }

    [Fact]
    public async Task GetConversation_Unknown_Returns200WithNoMessages()
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await server.Client.GetAsync("api/assistant/conversations/c-none?run_id=run-b");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"run_id":"run-b","conversation_id":"c-none","messages":[]}""");
    }

    [Theory]
    [InlineData("api/assistant/conversations/c-1", "Invalid run id", "run_id is required")]
    [InlineData("api/assistant/conversations/c-1?run_id=", "Invalid run id", "run_id must be one run id")]
    [InlineData("api/assistant/conversations/c-1?run_id=bad$id", "Invalid run id", "'bad$id'")]
    [InlineData("api/assistant/conversations/c-1?run_id=run-a&run_id=run-b", "Invalid run id", "given once")]
    [InlineData("api/assistant/conversations/bad$id?run_id=run-a", "Invalid conversation id", "'bad$id' is not a valid conversation id")]
    [InlineData("api/assistant/conversations/a%20b?run_id=run-a", "Invalid conversation id", "'a b'")]
    public async Task GetConversation_InvalidIds_Returns400(string path, string title, string detail)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await server.Client.GetAsync(path);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        problem.GetProperty("detail").GetString().Should().Contain(detail);
        assistant.ConversationReads.Should().BeEmpty();
    }

    private static void ShouldBeCannedSuggestions(JsonElement suggestions, string findingId)
    {
        suggestions.GetArrayLength().Should().Be(2);
        var first = suggestions[0];
        first.EnumerateObject().Select(p => p.Name).Should().Equal(
            "parameter", "current_value", "proposed_value", "rationale", "expected_effect", "priority", "confidence", "commands", "finding_id");
        first.GetProperty("parameter").GetString().Should().Be("learning_rate");
        first.GetProperty("current_value").GetDouble().Should().Be(0.001);
        first.GetProperty("proposed_value").GetDouble().Should().Be(0.0001);
        first.GetProperty("rationale").GetString().Should().Be("train_loss swings by 46% at 0.001.");
        first.GetProperty("expected_effect").GetString().Should().Be("The loss settles within 200 steps.");
        first.GetProperty("priority").GetInt32().Should().Be(1);
        first.GetProperty("confidence").GetDouble().Should().Be(0.8);
        JsonSerializer.Serialize(first.GetProperty("commands")).Should().Be("""[{"action":"set_learning_rate","value":0.0001},{"action":"save_checkpoint"}]""");
        first.GetProperty("finding_id").GetString().Should().Be(findingId);

        var second = suggestions[1];
        second.GetProperty("parameter").GetString().Should().Be("call_zero_grad");
        second.GetProperty("current_value").ValueKind.Should().Be(JsonValueKind.Null);
        second.GetProperty("proposed_value").ValueKind.Should().Be(JsonValueKind.Null);
        second.GetProperty("priority").GetInt32().Should().Be(2);
        second.GetProperty("commands").GetArrayLength().Should().Be(0);
        second.GetProperty("finding_id").ValueKind.Should().Be(JsonValueKind.Null);
    }
}
