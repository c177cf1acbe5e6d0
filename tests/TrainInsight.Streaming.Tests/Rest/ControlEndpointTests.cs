using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TrainInsight.Streaming.Tests.Infrastructure;
using TrainInsight.Wire;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class ControlEndpointTests
{
    private const string ControlPath = "api/training/control";
    private const int DefaultLimit = 64 * 1024;

    [Fact]
    public async Task HandleAsync_PauseForAttachedRun_Returns202AndTrainerTakesSameCommand()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, """{"action":"pause","run_id":"run-a"}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.EnumerateObject().Select(p => p.Name).Should().Equal("command_id", "action", "run_id", "status", "issued_at");
        var commandId = json.GetProperty("command_id").GetString();
        commandId.Should().StartWith("cmd_");
        json.GetProperty("action").GetString().Should().Be("pause");
        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.GetProperty("status").GetString().Should().Be("accepted");
        json.GetProperty("issued_at").GetDouble().Should().BePositive();

        trainer.StepBoundary().Should().Be(1);
        trainer.Handled.Should().ContainSingle();
        trainer.Handled[0].Id.Should().Be(commandId);
        trainer.Handled[0].Action.Should().Be(ControlAction.Pause);
        trainer.Handled[0].RunId.Should().Be("run-a");
    }

    [Fact]
    public async Task HandleAsync_CommandAppliedByTrainer_AcknowledgementStreamsAndStateChanges()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));
        await server.PublishAsync(Loss(trainer.Run, 1));
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("api/stream/metrics?run=run-a", cts.Token), cts.Token);

        using var response = await PostJsonAsync(server, """{"action":"pause","run_id":"run-a"}""");
        var commandId = (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("command_id").GetString();
        trainer.StepBoundary();

        var item = await sse.NextAsync();
        item.EventType.Should().Be("training_event");
        var json = item.Json();
        json.GetProperty("event").GetString().Should().Be("control_applied");
        var data = json.GetProperty("data");
        data.GetProperty("command_id").GetString().Should().Be(commandId);
        data.GetProperty("action").GetString().Should().Be("pause");
        data.GetProperty("status").GetString().Should().Be("applied");
        data.GetProperty("model_state").GetString().Should().Be("paused");

        await server.WaitForDispatchAsync();
        using var current = await server.Client.GetAsync("api/metrics/current?run=run-a");
        (await ResponseAssertions.ReadJsonAsync(current)).GetProperty("model_state").GetString().Should().Be("paused");
    }

    [Fact]
    public async Task HandleAsync_CommandRejectedByTrainer_AcknowledgementCarriesMessage()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a")) { Decide = _ => ControlStatus.Rejected };
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("api/stream/metrics", cts.Token), cts.Token);

        (await PostJsonAsync(server, """{"action":"resume"}""")).Dispose();
        trainer.StepBoundary();

        var data = (await sse.NextAsync()).Json().GetProperty("data");
        data.GetProperty("status").GetString().Should().Be("rejected");
        data.GetProperty("message").GetString().Should().Be("rejected by the fake trainer");
        data.TryGetProperty("model_state", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("pause", ControlAction.Pause)]
    [InlineData("resume", ControlAction.Resume)]
    [InlineData("stop", ControlAction.Stop)]
    [InlineData("save_checkpoint", ControlAction.SaveCheckpoint)]
    [InlineData("evaluate", ControlAction.Evaluate)]
    public async Task HandleAsync_EachAction_QueuesThatAction(string action, ControlAction expected)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, $$"""{"action":"{{action}}"}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await ResponseAssertions.ReadJsonAsync(response);
        body.GetProperty("action").GetString().Should().Be(action);
        body.TryGetProperty("value", out _).Should().BeFalse();
        trainer.StepBoundary().Should().Be(1);
        trainer.Handled[0].Action.Should().Be(expected);
        trainer.Handled[0].Value.Should().BeNull();
    }

    [Theory]
    [InlineData("set_learning_rate", ControlAction.SetLearningRate, "0.02", 0.02)]
    [InlineData("set_weight_decay", ControlAction.SetWeightDecay, "0", 0.0)]
    [InlineData("set_weight_decay", ControlAction.SetWeightDecay, "1e-4", 1e-4)]
    [InlineData("set_early_stopping", ControlAction.SetEarlyStopping, "5", 5.0)]
    [InlineData("set_early_stopping", ControlAction.SetEarlyStopping, "0", 0.0)]
    [InlineData("set_early_stopping", ControlAction.SetEarlyStopping, "10000", 10_000.0)]
    [InlineData("set_early_stopping", ControlAction.SetEarlyStopping, "2.5", 2.5)] // the trainer, not the endpoint, checks the range
    [InlineData("set_early_stopping", ControlAction.SetEarlyStopping, "-1", -1.0)]
    [InlineData("set_early_stopping", ControlAction.SetEarlyStopping, "10001", 10_001.0)]
    public async Task HandleAsync_SetActionWithNumericValue_Returns202AndTrainerTakesTheValue(string action, ControlAction expected, string json, double value)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, $$"""{"action":"{{action}}","value":{{json}}}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var body = await ResponseAssertions.ReadJsonAsync(response);
        body.EnumerateObject().Select(p => p.Name).Should().Equal("command_id", "action", "value", "status", "issued_at");
        body.GetProperty("action").GetString().Should().Be(action);
        body.GetProperty("value").GetDouble().Should().Be(value);
        trainer.StepBoundary().Should().Be(1);
        trainer.Handled[0].Action.Should().Be(expected);
        trainer.Handled[0].Value.Should().Be(value);
    }

    [Fact]
    public async Task HandleAsync_NaNValueAsString_IsQueuedSoTheTrainerCanRejectAndAuditIt()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, """{"action":"set_learning_rate","value":"NaN"}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("value").GetString().Should().Be("NaN");
        trainer.StepBoundary().Should().Be(1);
        double.IsNaN(trainer.Handled[0].Value!.Value).Should().BeTrue();
    }

    [Fact]
    public async Task HandleAsync_SetLearningRateAcknowledgement_StreamsTheValue()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("api/stream/metrics?run=run-a", cts.Token), cts.Token);

        (await PostJsonAsync(server, """{"action":"set_learning_rate","value":0.005,"run_id":"run-a"}""")).Dispose();
        trainer.StepBoundary();

        var json = (await sse.NextAsync()).Json();
        json.GetProperty("event").GetString().Should().Be("control_applied");
        var data = json.GetProperty("data");
        data.GetProperty("action").GetString().Should().Be("set_learning_rate");
        data.GetProperty("value").GetDouble().Should().Be(0.005);
        data.GetProperty("status").GetString().Should().Be("applied");
    }

    [Theory]
    [InlineData("""{"action":"stop"}""")]
    [InlineData("""{"action":"stop","run_id":null}""")]
    public async Task HandleAsync_NoRunId_QueuesForEveryActiveRun(string body)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var a = new FakeTrainer(server.Bus, server.Control, Run("run-a"));
        using var b = new FakeTrainer(server.Bus, server.Control, Run("run-b"));

        using var response = await PostJsonAsync(server, body);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.TryGetProperty("run_id", out _).Should().BeFalse();
        a.StepBoundary().Should().Be(1);
        b.StepBoundary().Should().Be(1);
        a.Handled[0].Id.Should().Be(json.GetProperty("command_id").GetString()).And.Be(b.Handled[0].Id);
    }

    [Theory]
    [InlineData("""{"action":"jump"}""", "Unknown action")]
    [InlineData("""{"action":""}""", "Unknown action")]
    [InlineData("""{"run_id":"run-a"}""", "Invalid control request")]
    [InlineData("""{"action":1}""", "Invalid control request")]
    [InlineData("""{"action":"pause","run_id":"bad id"}""", "Invalid run id")]
    [InlineData("""{"action":"pause","run_id":""}""", "Invalid run id")]
    [InlineData("""{"action":"pause","run_id":42}""", "Invalid run id")]
    [InlineData("""{"action":"set_learning_rate"}""", "Missing value")]
    [InlineData("""{"action":"set_weight_decay","value":null}""", "Missing value")]
    [InlineData("""{"action":"set_learning_rate","value":"0.01"}""", "Invalid value")]
    [InlineData("""{"action":"set_learning_rate","value":"fast"}""", "Invalid value")]
    [InlineData("""{"action":"set_learning_rate","value":true}""", "Invalid value")]
    [InlineData("""{"action":"set_learning_rate","value":[0.1]}""", "Invalid value")]
    [InlineData("""{"action":"set_learning_rate","value":{}}""", "Invalid value")]
    [InlineData("""{"action":"set_learning_rate","value":1e999}""", "Invalid value")]
    [InlineData("""{"action":"pause","value":1}""", "Unexpected value")]
    [InlineData("""{"action":"stop","value":0.5}""", "Unexpected value")]
    [InlineData("""{"action":"save_checkpoint","value":1}""", "Unexpected value")]
    [InlineData("""{"action":"save_checkpoint","value":0}""", "Unexpected value")]
    [InlineData("""{"action":"evaluate","value":0.5}""", "Unexpected value")]
    [InlineData("""{"action":"evaluate","value":"NaN"}""", "Unexpected value")]
    [InlineData("""{"action":"save_checkpoint","value":"fast"}""", "Invalid value")]
    [InlineData("""{"action":"set_early_stopping"}""", "Missing value")]
    [InlineData("""{"action":"set_early_stopping","value":null}""", "Missing value")]
    [InlineData("""{"action":"set_early_stopping","value":"5"}""", "Invalid value")]
    [InlineData("""{"action":"set_early_stopping","value":"never"}""", "Invalid value")]
    [InlineData("""{"action":"set_early_stopping","value":true}""", "Invalid value")]
    [InlineData("""{"action":"set_early_stopping","value":[5]}""", "Invalid value")]
    [InlineData("""{"action":"set_early_stopping","value":1e999}""", "Invalid value")]
    [InlineData("""{"action":"Save_Checkpoint"}""", "Unknown action")]
    [InlineData("""{"action":"early_stopping","value":5}""", "Unknown action")]
    public async Task HandleAsync_InvalidRequest_Returns400ProblemAndQueuesNothing(string body, string title)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        trainer.StepBoundary().Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_UnknownAction_DetailListsEveryAction()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, """{"action":"jump"}""");

        var detail = (await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest)).GetProperty("detail").GetString();
        detail.Should().ContainAll(Enum.GetValues<ControlAction>().Select(a => $"\"{WireNames.Action(a)}\""));
    }

    [Theory]
    [InlineData("set_learning_rate", """{"action":"set_learning_rate","value":0.001}""")]
    [InlineData("set_early_stopping", """{"action":"set_early_stopping","value":5}""")]
    public async Task HandleAsync_SetActionWithoutValue_DetailShowsAnExample(string action, string example)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, $$"""{"action":"{{action}}"}""");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Be($"The action '{action}' needs a numeric \"value\", such as {example}.");
    }

    [Theory]
    [InlineData("""{"action":"save_checkpoint","run_id":"run-a"}""", "save_checkpoint", "Saved checkpoint ckpt/run-a-step-1.bin.")]
    [InlineData("""{"action":"evaluate","run_id":"run-a"}""", "evaluate", "val_loss 0.41, val_accuracy 0.86.")]
    [InlineData("""{"action":"set_early_stopping","value":3,"run_id":"run-a"}""", "set_early_stopping", null)]
    public async Task HandleAsync_NewActionAppliedByTrainer_AcknowledgementStreamsActionAndMessage(string body, string action, string? message)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a")) { AppliedMessage = _ => message };
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("api/stream/metrics?run=run-a", cts.Token), cts.Token);

        using var response = await PostJsonAsync(server, body);
        var commandId = (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("command_id").GetString();
        trainer.StepBoundary().Should().Be(1);

        var json = (await sse.NextAsync()).Json();
        json.GetProperty("event").GetString().Should().Be("control_applied");
        var data = json.GetProperty("data");
        data.GetProperty("command_id").GetString().Should().Be(commandId);
        data.GetProperty("action").GetString().Should().Be(action);
        data.GetProperty("status").GetString().Should().Be("applied");
        data.TryGetProperty("message", out var written).Should().Be(message is not null);
        if (message is not null)
        {
            written.GetString().Should().Be(message);
        }

        data.TryGetProperty("value", out var value).Should().Be(action == "set_early_stopping");
        if (action == "set_early_stopping")
        {
            value.GetDouble().Should().Be(3);
        }
    }

    [Theory]
    [InlineData("""{"action":"pause" """)]
    [InlineData("""{action:pause}""")]
    [InlineData("")]
    [InlineData("pause")]
    public async Task HandleAsync_MalformedJson_Returns400Problem(string body)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Malformed JSON");
    }

    [Theory]
    [InlineData("""["pause"]""")]
    [InlineData("\"pause\"")]
    [InlineData("42")]
    [InlineData("null")]
    public async Task HandleAsync_JsonThatIsNotAnObject_Returns400Problem(string body)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Invalid control request");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_BodyOverLimit_Returns413Problem(bool chunked)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostAsync(server, PaddedBody(DefaultLimit + 1), "application/json", chunked);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        trainer.StepBoundary().Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_BodyExactlyAtLimit_Returns202(bool chunked)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostAsync(server, PaddedBody(DefaultLimit), "application/json", chunked);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        trainer.StepBoundary().Should().Be(1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_ConfiguredLimit_IsEnforced(bool chunked)
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxRequestBodyBytes = 2048);
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var over = await PostAsync(server, PaddedBody(2049), "application/json", chunked);
        using var at = await PostAsync(server, PaddedBody(2048), "application/json", chunked);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(over, HttpStatusCode.RequestEntityTooLarge);
        problem.GetProperty("detail").GetString().Should().Contain("2,048");
        at.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("multipart/form-data")]
    [InlineData("application/jsonp")]
    [InlineData("text/plain; x=+json")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData(null)] // no Content-Type: a browser would send it cross-origin without a CORS preflight
    public async Task HandleAsync_NonJsonContentType_Returns415Problem(string? mediaType)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostAsync(server, Encoding.UTF8.GetBytes("""{"action":"pause"}"""), mediaType, chunked: false);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        trainer.StepBoundary().Should().Be(0);
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/merge-patch+json")]
    [InlineData("Application/JSON")]
    public async Task HandleAsync_JsonContentType_IsAccepted(string contentType)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostAsync(server, Encoding.UTF8.GetBytes("""{"action":"pause"}"""), contentType, chunked: false);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task HandleAsync_RunQueueFull_Returns429ProblemAndQueuesNothingMore()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));
        for (var i = 0; i < ITrainingControl.MaxPendingCommands; i++)
        {
            using var accepted = await PostJsonAsync(server, """{"action":"pause"}""");
            accepted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        using var response = await PostJsonAsync(server, """{"action":"stop"}""");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.TooManyRequests);
        problem.GetProperty("detail").GetString().Should().Contain("run-a");
        trainer.StepBoundary().Should().Be(ITrainingControl.MaxPendingCommands);
    }

    [Fact]
    public async Task HandleAsync_NoAttachedRun_Returns409Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await PostJsonAsync(server, """{"action":"pause"}""");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.Conflict);
        problem.GetProperty("title").GetString().Should().Be("No active run");
    }

    [Fact]
    public async Task HandleAsync_RunDetached_Returns409Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();
        new FakeTrainer(server.Bus, server.Control, Run("run-a")).Dispose();

        using var response = await PostJsonAsync(server, """{"action":"stop"}""");

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task HandleAsync_UnknownRunId_Returns404Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, """{"action":"pause","run_id":"run-z"}""");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("detail").GetString().Should().Contain("run-z");
        trainer.StepBoundary().Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_RestoreCheckpointWithPath_Returns202WithThePathAndTrainerTakesIt()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, """{"action":"restore_checkpoint","run_id":"run-a","path":"checkpoints/step-400.pt"}""");

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.EnumerateObject().Select(p => p.Name).Should().Equal("command_id", "action", "path", "run_id", "status", "issued_at");
        json.GetProperty("action").GetString().Should().Be("restore_checkpoint");
        json.GetProperty("path").GetString().Should().Be("checkpoints/step-400.pt");
        trainer.StepBoundary().Should().Be(1);
        trainer.Handled[0].Action.Should().Be(ControlAction.RestoreCheckpoint);
        trainer.Handled[0].Path.Should().Be("checkpoints/step-400.pt");
        trainer.Handled[0].Id.Should().Be(json.GetProperty("command_id").GetString());
    }

    [Theory]
    [InlineData("""{"action":"restore_checkpoint","run_id":"run-a"}""", "Missing path")]
    [InlineData("""{"action":"restore_checkpoint","run_id":"run-a","path":null}""", "Missing path")]
    [InlineData("""{"action":"restore_checkpoint","run_id":"run-a","path":" "}""", "Invalid path")]
    [InlineData("""{"action":"restore_checkpoint","run_id":"run-a","path":7}""", "Invalid path")]
    [InlineData("""{"action":"restore_checkpoint","run_id":"run-a","path":"a.pt","value":1}""", "Unexpected value")]
    [InlineData("""{"action":"pause","run_id":"run-a","path":"a.pt"}""", "Unexpected path")]
    public async Task HandleAsync_RestorePathMissingOrMisplaced_Returns400AndQueuesNothing(string body, string title)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));

        using var response = await PostJsonAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        trainer.StepBoundary().Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_Get_IsNotAllowed()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(ControlPath);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    /// <summary>A valid pause request padded with spaces to exactly <paramref name="size"/> bytes.</summary>
    private static byte[] PaddedBody(int size)
    {
        var json = """{"action":"pause"}""";
        return Encoding.UTF8.GetBytes(json + new string(' ', size - json.Length));
    }

    private static Task<HttpResponseMessage> PostJsonAsync(StreamingTestServer server, string json) =>
        PostAsync(server, Encoding.UTF8.GetBytes(json), "application/json", chunked: false);

    private static async Task<HttpResponseMessage> PostAsync(StreamingTestServer server, byte[] body, string? contentType, bool chunked)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ControlPath);
        HttpContent content = chunked ? new UnknownLengthContent(body) : new ByteArrayContent(body);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        request.Content = content;
        request.Headers.TransferEncodingChunked = chunked;
        var response = await server.Client.SendAsync(request);
        content.Headers.ContentLength.Should().Be(chunked ? null : body.Length);
        return response;
    }
}
