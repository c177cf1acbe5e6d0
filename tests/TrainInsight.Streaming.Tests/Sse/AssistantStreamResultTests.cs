using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Sse;

public sealed class AssistantStreamResultTests
{
    private const string ChatBody = """{"run_id":"run-a","message":"Why is the loss flat?","conversation_id":"c-42","language":"en"}""";

    [Fact]
    public async Task Chat_Default_StreamsDeltaDeltaResetDeltaAnswerInOrderThenEnds()
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);
        using var cts = Eventually.Timeout();

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", ChatBody, cancellationToken: cts.Token);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
        response.Headers.CacheControl.NoStore.Should().BeTrue();
        var items = await ReadAllAsync(response, cts.Token);
        items.Select(i => i.EventType).Should().Equal("delta", "delta", "reset", "delta", "answer");
        items.Take(4).Select(i => i.Data).Should().Equal(
            """{"text":"Loss is "}""", """{"text":"falling"}""", """{"reason":"The model timed out."}""", """{"text":"Rules: loss falls."}""");
        var answer = JsonDocument.Parse(items[4].Data).RootElement;
        answer.GetProperty("operation").GetString().Should().Be("chat");
        answer.GetProperty("conversation_id").GetString().Should().Be("c-42");
        answer.GetProperty("run_id").GetString().Should().Be("run-a");

        var request = assistant.Calls.Should().ContainSingle().Which.Request.Should().BeOfType<AssistantChatRequest>().Subject;
        request.RunId.Should().Be("run-a");
        request.Message.Should().Be("Why is the loss flat?");
        request.ConversationId.Should().Be("c-42");
        request.Language.Should().Be("en");
    }

    [Fact]
    public async Task Chat_Stream_AnswerEventIsTheJsonAnswerAndFramesAreExact()
    {
        var assistant = new FakeTrainingAssistant { Updates = ["d:Hi \"there\"\nline two"] };
        await using var server = await AssistantTestHost.StartAsync(assistant);
        using var cts = Eventually.Timeout();
        using var json = await AssistantTestHost.PostAsync(server, "api/assistant/chat", """{"run_id":"run-a","message":"hi","stream":false}""", cancellationToken: cts.Token);
        var expected = await json.Content.ReadAsStringAsync(cts.Token);

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", """{"run_id":"run-a","message":"hi"}""", cancellationToken: cts.Token);

        var text = await response.Content.ReadAsStringAsync(cts.Token);
        var lines = text.Split('\n').Where(l => !l.StartsWith(':')).ToList();
        lines.Should().Equal(
            "event: delta", """data: {"text":"Hi \u0022there\u0022\nline two"}""", "",
            "event: answer", "data: " + expected, "",
            "");
    }

    [Theory]
    [InlineData("""{"run_id":"run-a","stream":true}""", null)]
    [InlineData("""{"run_id":"run-a"}""", "text/event-stream")]
    [InlineData("""{"run_id":"run-a"}""", "application/json;q=0.5, text/event-stream")]
    [InlineData("""{"run_id":"run-a","stream":true}""", "application/json")]
    public async Task Analyze_StreamTrueOrAcceptEventStream_Streams(string body, string? accept)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);
        using var cts = Eventually.Timeout();

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/analyze", body, accept, cancellationToken: cts.Token);

        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var items = await ReadAllAsync(response, cts.Token);
        items.Select(i => i.EventType).Should().Equal("delta", "delta", "reset", "delta", "answer");
        JsonDocument.Parse(items[^1].Data).RootElement.GetProperty("operation").GetString().Should().Be("analyze");
        assistant.Calls.Should().ContainSingle().Which.Operation.Should().Be(AssistantOperation.Analyze);
    }

    [Theory]
    [InlineData("""{"run_id":"run-a"}""", null)]
    [InlineData("""{"run_id":"run-a"}""", "application/json")]
    [InlineData("""{"run_id":"run-a"}""", "*/*")]
    [InlineData("""{"run_id":"run-a"}""", "text/event-stream;q=0.5, */*")]
    [InlineData("""{"run_id":"run-a","stream":false}""", "text/event-stream")]
    public async Task Analyze_NoStreamAskedFor_ReturnsJson(string body, string? accept)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/analyze", body, accept);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("operation").GetString().Should().Be("analyze");
    }

    [Theory]
    [InlineData("api/assistant/chat", """{"run_id":"missing-run","message":"hi"}""")]
    [InlineData("api/assistant/analyze", """{"run_id":"missing-run","stream":true}""")]
    public async Task Stream_UnknownRun_Returns404ProblemNotAStream(string path, string body)
    {
        var assistant = new FakeTrainingAssistant();
        await using var server = await AssistantTestHost.StartAsync(assistant);

        using var response = await AssistantTestHost.PostAsync(server, path, body, "text/event-stream");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("Run not found");
        problem.GetProperty("detail").GetString().Should().Contain("'missing-run' is unknown");
    }

    [Fact]
    public async Task Stream_SlowFirstUpdate_SendsKeepAlivesThenUnknownRunEndsWithErrorEvent()
    {
        // The bus knows run-b (the endpoint's check passes) but the assistant does not: a run forgotten in between.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var assistant = new FakeTrainingAssistant { Gate = gate.Task };
        assistant.UnknownRuns.Add("run-b");
        await using var server = await AssistantTestHost.StartAsync(assistant, configureStreaming: o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(100));
        using var cts = Eventually.Timeout();

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", """{"run_id":"run-b","message":"hi"}""", cancellationToken: cts.Token);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
        (await reader.ReadLineAsync(cts.Token)).Should().Be(": keep-alive");
        gate.SetResult();

        var rest = await reader.ReadToEndAsync(cts.Token);
        var lines = rest.Split('\n').Where(l => l.Length > 0 && !l.StartsWith(':')).ToList();
        lines.Should().HaveCount(2);
        lines[0].Should().Be("event: error");
        var problem = JsonDocument.Parse(lines[1]["data: ".Length..]).RootElement;
        problem.GetProperty("status").GetInt32().Should().Be(404);
        problem.GetProperty("type").GetString().Should().Be("https://traininsight.dev/problems/not-found");
        problem.GetProperty("title").GetString().Should().Be("Run not found");
    }

    [Fact]
    public async Task Stream_SilentBetweenUpdates_SendsKeepAliveComments()
    {
        var assistant = new FakeTrainingAssistant { BlockAfter = 1 };
        await using var server = await AssistantTestHost.StartAsync(assistant, configureStreaming: o => o.HeartbeatInterval = TimeSpan.FromMilliseconds(100));
        using var cts = Eventually.Timeout();

        using var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", ChatBody, cancellationToken: cts.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));

        (await reader.ReadLineAsync(cts.Token)).Should().Be("event: delta");
        (await reader.ReadLineAsync(cts.Token)).Should().Be("""data: {"text":"Loss is "}""");
        (await reader.ReadLineAsync(cts.Token)).Should().BeEmpty();
        for (var i = 0; i < 2; i++)
        {
            (await reader.ReadLineAsync(cts.Token)).Should().Be(": keep-alive");
            (await reader.ReadLineAsync(cts.Token)).Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Stream_ClientDisconnects_CancelsTheEnumerationWithoutLoggingAnError()
    {
        var logs = new CapturingLoggerProvider();
        var assistant = new FakeTrainingAssistant { BlockAfter = 1 };
        await using var server = await AssistantTestHost.StartAsync(assistant, logs);
        using var cts = Eventually.Timeout();
        var response = await AssistantTestHost.PostAsync(server, "api/assistant/chat", ChatBody, cancellationToken: cts.Token);
        await using (var sse = await SseReader.OpenAsync(response, cts.Token))
        {
            (await sse.NextAsync()).EventType.Should().Be("delta");
            await assistant.Blocked.WaitAsync(cts.Token);
        }

        await assistant.Canceled.WaitAsync(cts.Token);

        await Poll.UntilAsync(() => logs.Entries.Any(e => e.EventId.Id == 8 && e.Category == "TrainInsight.Streaming.Assistant"), "the stream to end");
        logs.Entries.Where(e => e.Level >= LogLevel.Warning).Should().BeEmpty();
    }

    [Fact]
    public async Task Analyze_ClientDisconnectsBeforeTheFirstUpdate_CancelsTheEnumeration()
    {
        var logs = new CapturingLoggerProvider();
        var assistant = new FakeTrainingAssistant { BlockAfter = 0 };
        await using var server = await AssistantTestHost.StartAsync(assistant, logs);
        using var cts = Eventually.Timeout();

        var response = await AssistantTestHost.PostAsync(server, "api/assistant/analyze", """{"run_id":"run-a","stream":true}""", cancellationToken: cts.Token);
        await assistant.Blocked.WaitAsync(cts.Token);
        response.Dispose();

        await assistant.Canceled.WaitAsync(cts.Token);
        await Poll.UntilAsync(() => logs.Entries.Any(e => e.EventId.Id == 8), "the stream to end");
        logs.Entries.Where(e => e.Level >= LogLevel.Warning).Should().BeEmpty();
    }

    private static async Task<List<SseItem<string>>> ReadAllAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var items = new List<SseItem<string>>();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var item in SseParser.Create(stream).EnumerateAsync(cancellationToken))
        {
            items.Add(item);
        }

        return items;
    }
}
