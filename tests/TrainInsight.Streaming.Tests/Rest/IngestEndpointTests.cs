using System.Net;
using System.Net.Http.Headers;
using System.Text;
using TrainInsight.Streaming.Tests.Infrastructure;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class IngestEndpointTests
{
    private const string IngestPath = "api/ingest";
    private const string Timestamp = "1795483081.631";

    [Fact]
    public async Task HandleAsync_ValidBatch_Returns202AndPublishesEveryEventWithItsValues()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var body = Body(
            $$$"""
            {"run":{"id":"remote-1","name":"Remote run","model_name":"SmallCnn","parameter_count":105866,"total_epochs":8,"steps_per_epoch":469,"started_at":1795483000.5},
             "events":[
              {"type":"training_event","sequence":1,"timestamp":{{{Timestamp}}},"kind":"run_started","state":"training","step":0,"epoch":1},
              {"type":"metrics_update","sequence":2,"timestamp":{{{Timestamp}}},"step":10,"epoch":1,"batch":10,
               "values":{"train_loss":0.25,"gradient_norm":"NaN","weight_norm":"Infinity","log_ratio":"-Infinity"}},
              {"type":"training_event","sequence":3,"timestamp":1795483100.002,"kind":"epoch_completed","state":"training","step":469,"epoch":1,
               "metrics":{"val_loss":"NaN","val_accuracy":0.8267},"checkpoint_path":"ckpt/1.bin"},
              {"type":"training_event","sequence":4,"timestamp":1795483101,"kind":"run_finished","state":"failed","message":"diverged"}]}
            """);

        using var response = await PostAsync(server, body);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.GetProperty("accepted").GetInt64().Should().Be(4);
        json.GetProperty("duplicates").GetInt64().Should().Be(0);
        var run = json.GetProperty("runs").EnumerateArray().Should().ContainSingle().Subject;
        run.GetProperty("run_id").GetString().Should().Be("remote-1");
        run.GetProperty("last_sequence").GetInt64().Should().Be(4);

        await server.WaitForDispatchAsync();
        var history = server.Bus.GetHistory();
        history.Should().HaveCount(4);
        history.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4);
        history.Select(e => e.Run).Distinct().Should().ContainSingle();
        var descriptor = history[0].Run;
        descriptor.Id.Should().Be("remote-1");
        descriptor.Name.Should().Be("Remote run");
        descriptor.ModelName.Should().Be("SmallCnn");
        descriptor.ParameterCount.Should().Be(105866);
        descriptor.TotalEpochs.Should().Be(8);
        descriptor.StepsPerEpoch.Should().Be(469);
        descriptor.StartedAt.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1795483000500));

        var started = history[0].Should().BeOfType<TrainingEvent>().Subject;
        started.Kind.Should().Be(TrainingEventKind.RunStarted);
        started.State.Should().Be(RunState.Training);
        started.Timestamp.Should().Be(DateTimeOffset.FromUnixTimeMilliseconds(1795483081631));

        var metrics = history[1].Should().BeOfType<MetricEvent>().Subject;
        metrics.Step.Should().Be(10);
        metrics.Epoch.Should().Be(1);
        metrics.Batch.Should().Be(10);
        metrics.Values[MetricNames.TrainLoss].Should().Be(0.25);
        double.IsNaN(metrics.Values[MetricNames.GradientNorm]).Should().BeTrue();
        metrics.Values[MetricNames.WeightNorm].Should().Be(double.PositiveInfinity);
        metrics.Values["log_ratio"].Should().Be(double.NegativeInfinity);

        var epoch = history[2].Should().BeOfType<TrainingEvent>().Subject;
        epoch.Kind.Should().Be(TrainingEventKind.EpochCompleted);
        epoch.Step.Should().Be(469);
        double.IsNaN(epoch.Metrics[MetricNames.ValLoss]).Should().BeTrue();
        epoch.Metrics[MetricNames.ValAccuracy].Should().Be(0.8267);
        epoch.CheckpointPath.Should().Be("ckpt/1.bin");

        var finished = history[3].Should().BeOfType<TrainingEvent>().Subject;
        finished.Kind.Should().Be(TrainingEventKind.RunFinished);
        finished.State.Should().Be(RunState.Failed);
        finished.Message.Should().Be("diverged");
        finished.Step.Should().BeNull();
    }

    [Fact]
    public async Task HandleAsync_RunWithHyperparameters_DescriptorCarriesThemTyped()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var body = Body(
            $$$"""
            {"run":{"id":"remote-h","hyperparameters":{"optimizer":"sgd","learning_rate":0.05,"batch_size":128,"shuffle":false}},
             "events":[{"type":"metrics_update","sequence":1,"timestamp":{{{Timestamp}}},"step":1,"values":{"train_loss":2.3}}]}
            """);

        using var response = await PostAsync(server, body);

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        await server.WaitForDispatchAsync();
        server.Bus.GetHistory()[0].Run.Hyperparameters.Should().BeEquivalentTo(new Dictionary<string, HyperparameterValue>
        {
            ["optimizer"] = "sgd",
            ["learning_rate"] = 0.05,
            ["batch_size"] = 128,
            ["shuffle"] = false,
        });
    }

    [Theory]
    [InlineData("""{"seed":[1]}""", "hyperparameter 'seed' must be a finite number, a string or a boolean, not an array.")]
    [InlineData("""{"seed":null}""", "hyperparameter 'seed' must be a finite number, a string or a boolean, not null.")]
    [InlineData("""{"":1}""", "hyperparameter names must have 1 to 256 characters; one has 0.")]
    [InlineData("""[1,2]""", "hyperparameters must be an object of names to numbers, strings or booleans.")]
    public async Task HandleAsync_InvalidHyperparameters_Returns400NamingThePathAndPublishesNothing(string hyperparameters, string detail)
    {
        await using var server = await StreamingTestServer.StartAsync();
        var body = $$"""{"runs":[{"run":{"id":"r","hyperparameters":{{hyperparameters}}},"events":[]}]}""";

        using var response = await PostAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Malformed ingest batch");
        problem.GetProperty("path").GetString().Should().StartWith("$.runs[0].run.hyperparameters");
        problem.GetProperty("detail").GetString().Should().Contain(detail);
        server.Bus.GetStatistics().Published.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_NonFiniteValues_StreamOverSseAsStrings()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var cts = Eventually.Timeout();
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("api/stream/metrics", cts.Token), cts.Token);

        using var response = await PostAsync(server, Body(Run("remote-1",
            Metric(1, 1, "\"train_loss\":\"NaN\",\"gradient_norm\":\"Infinity\",\"weight_norm\":\"-Infinity\",\"batch_time\":0.5"))));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var item = await sse.NextAsync();
        item.EventType.Should().Be("metrics_update");
        var data = item.Json().GetProperty("data");
        data.GetProperty("train_loss").GetString().Should().Be("NaN");
        var advanced = data.GetProperty("advanced_metrics");
        advanced.GetProperty("gradient_norm").GetString().Should().Be("Infinity");
        advanced.GetProperty("weight_norm").GetString().Should().Be("-Infinity");
        advanced.GetProperty("batch_time").GetDouble().Should().Be(0.5);
    }

    [Theory]
    [InlineData("""{"runs":[{"run":{"id":"bad id"},"events":[]}]}""", "$.runs[0].run.id")]
    [InlineData("""{"runs":[{"run":{"name":"no id"},"events":[]}]}""", "$.runs[0].run.id")]
    [InlineData("""{"runs":[{"events":[]}]}""", "$.runs[0].run")]
    [InlineData("""{"runs":[{"run":{"id":"r"}}]}""", "$.runs[0].events")]
    [InlineData("""{"runs":[null]}""", "$.runs[0]")]
    [InlineData("""{}""", "$.runs")]
    [InlineData("""null""", "$")]
    [InlineData("""{"runs":[{"run":{"id":"r","started_at":-1},"events":[]}]}""", "$.runs[0].run.started_at")]
    [InlineData("""{"runs":[{"run":{"id":"r","parameter_count":-1},"events":[]}]}""", "$.runs[0].run.parameter_count")]
    [InlineData("""{"runs":[{"run":{"id":"r"},"events":[]},{"run":{"id":"r"},"events":[]}]}""", "$.runs[1].run.id")]
    public async Task HandleAsync_InvalidRun_Returns400NamingThePath(string body, string path)
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await PostAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Invalid ingest batch");
        problem.GetProperty("path").GetString().Should().Be(path);
        problem.GetProperty("detail").GetString().Should().Contain(path);
    }

    [Theory]
    [InlineData("""{"sequence":2,"timestamp":1,"step":1,"values":{}}""", "type")]
    [InlineData("""{"type":"metric","sequence":2,"timestamp":1,"step":1,"values":{}}""", "type")]
    [InlineData("""{"type":"metrics_update","timestamp":1,"step":1,"values":{}}""", "sequence")]
    [InlineData("""{"type":"metrics_update","sequence":0,"timestamp":1,"step":1,"values":{}}""", "sequence")]
    [InlineData("""{"type":"metrics_update","sequence":1,"timestamp":1,"step":1,"values":{}}""", "sequence")] // not after 1
    [InlineData("""{"type":"metrics_update","sequence":2,"step":1,"values":{}}""", "timestamp")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":"NaN","step":1,"values":{}}""", "timestamp")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":-5,"step":1,"values":{}}""", "timestamp")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":1,"values":{}}""", "step")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":1,"step":-1,"values":{}}""", "step")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":1,"step":1,"epoch":-1,"values":{}}""", "epoch")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":1,"step":1,"batch":-1,"values":{}}""", "batch")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":1,"step":1}""", "values")]
    [InlineData("""{"type":"metrics_update","sequence":2,"timestamp":1,"step":1,"values":{"":1}}""", "values")]
    [InlineData("""{"type":"training_event","sequence":2,"timestamp":1}""", "kind")]
    [InlineData("""{"type":"training_event","sequence":2,"timestamp":1,"kind":"control_applied"}""", "kind")]
    [InlineData("""{"type":"training_event","sequence":2,"timestamp":1,"kind":"run_lost"}""", "kind")] // the server decides that
    [InlineData("""{"type":"training_event","sequence":2,"timestamp":1,"kind":"run_finished","state":"lost"}""", "state")]
    [InlineData("""{"type":"training_event","sequence":2,"timestamp":1,"kind":"run_finished","state":"exploded"}""", "state")]
    [InlineData("""{"type":"training_event","sequence":2,"timestamp":1,"kind":"run_finished","step":-3}""", "step")]
    [InlineData("""null""", null)]
    public async Task HandleAsync_InvalidSecondEvent_Returns400NamingIndexAndFieldAndPublishesNothing(string secondEvent, string? field)
    {
        await using var server = await StreamingTestServer.StartAsync();
        // The first event is valid: it must not be published either, since the batch as a whole is rejected.
        var body = Body(Run("remote-1", Metric(1, 1)), Run("remote-2", Metric(1, 1), secondEvent));

        using var response = await PostAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        var path = field is null ? "$.runs[1].events[1]" : "$.runs[1].events[1]." + field;
        problem.GetProperty("path").GetString().Should().Be(path);
        problem.GetProperty("detail").GetString().Should().Contain(path);
        server.Bus.GetStatistics().Published.Should().Be(0);
    }

    [Theory]
    [InlineData("""{"runs":[""", "$.runs")]
    [InlineData("""{runs:[]}""", "$")]
    [InlineData("""[]""", "$")]
    [InlineData("", "$")]
    [InlineData("""{"runs":{}}""", "$.runs")]
    [InlineData("""{"runs":[{"run":{"id":"r"},"events":[{"type":"metrics_update","sequence":1,"timestamp":1,"step":"10","values":{}}]}]}""", "$.runs[0].events[0].step")]
    [InlineData("""{"runs":[{"run":{"id":"r"},"events":[{"type":"metrics_update","sequence":1.5,"timestamp":1,"step":1,"values":{}}]}]}""", "$.runs[0].events[0].sequence")]
    [InlineData("""{"runs":[{"run":{"id":"r"},"events":[{"type":"metrics_update","sequence":1,"timestamp":1,"step":1,"values":{"loss":"nan"}}]}]}""", "$.runs[0].events[0].values.loss")]
    [InlineData("""{"runs":[{"run":{"id":"r"},"events":[{"type":"metrics_update","sequence":1,"timestamp":1,"step":1,"values":{"loss":"0.5"}}]}]}""", "$.runs[0].events[0].values.loss")]
    [InlineData("""{"runs":[{"run":{"id":"r"},"events":[{"type":"metrics_update","sequence":1,"timestamp":1,"step":1,"values":{"loss":null}}]}]}""", "$.runs[0].events[0].values.loss")]
    [InlineData("""{"runs":[{"run":{"id":7},"events":[]}]}""", "$.runs[0].run.id")]
    public async Task HandleAsync_MalformedJsonOrWrongType_Returns400NamingThePathAndPublishesNothing(string body, string path)
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await PostAsync(server, body);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Malformed ingest batch");
        problem.GetProperty("path").GetString().Should().StartWith(path);
        server.Bus.GetStatistics().Published.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_MoreEventsThanTheBatchLimit_Returns400AndPublishesNothing()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxIngestBodyBytes = 16 * 1024 * 1024);
        var events = Enumerable.Range(1, 10_001).Select(i => Metric(i, i)).ToArray();

        using var response = await PostAsync(server, Body(Run("remote-1", events)));

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Contain("10,000");
        server.Bus.GetStatistics().Published.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_ExactlyTheBatchLimit_Returns202()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxIngestBodyBytes = 16 * 1024 * 1024);
        var events = Enumerable.Range(1, 10_000).Select(i => Metric(i, i)).ToArray();

        using var response = await PostAsync(server, Body(Run("remote-1", events)));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("accepted").GetInt64().Should().Be(10_000);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_BodyOverDefaultLimit_Returns413AndPublishesNothing(bool chunked)
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await PostAsync(server, Padded(Body(Run("remote-1", Metric(1, 1))), 1024 * 1024 + 1), chunked: chunked);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        problem.GetProperty("detail").GetString().Should().Contain("1,048,576");
        server.Bus.GetStatistics().Published.Should().Be(0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task HandleAsync_ConfiguredLimit_IsEnforcedToTheByte(bool chunked)
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxIngestBodyBytes = 2048);

        using var over = await PostAsync(server, Padded(Body(Run("remote-1", Metric(1, 1))), 2049), chunked: chunked);
        using var at = await PostAsync(server, Padded(Body(Run("remote-1", Metric(1, 1))), 2048), chunked: chunked);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(over, HttpStatusCode.RequestEntityTooLarge);
        problem.GetProperty("detail").GetString().Should().Contain("2,048");
        at.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task HandleAsync_ControlLimitSmallerThanBatch_DoesNotApplyToIngest()
    {
        await using var server = await StreamingTestServer.StartAsync(o => o.MaxRequestBodyBytes = 1024);

        using var response = await PostAsync(server, Padded(Body(Run("remote-1", Metric(1, 1))), 100_000));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData(null)]
    public async Task HandleAsync_NonJsonContentType_Returns415AndPublishesNothing(string? contentType)
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await PostAsync(server, Body(Run("remote-1", Metric(1, 1))), contentType);

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        server.Bus.GetStatistics().Published.Should().Be(0);
    }

    [Fact]
    public async Task HandleAsync_ResentBatch_Returns200AndSkipsEveryDuplicate()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var body = Body(Run("remote-1", Metric(1, 1), Metric(2, 2), Metric(3, 3)));

        using var first = await PostAsync(server, body);
        using var again = await PostAsync(server, body);

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        again.StatusCode.Should().Be(HttpStatusCode.OK);
        var json = await ResponseAssertions.ReadJsonAsync(again);
        json.GetProperty("accepted").GetInt64().Should().Be(0);
        json.GetProperty("duplicates").GetInt64().Should().Be(3);
        json.GetProperty("runs")[0].GetProperty("last_sequence").GetInt64().Should().Be(3);
        await server.WaitForDispatchAsync();
        server.Bus.GetHistory().Cast<MetricEvent>().Select(e => e.Step).Should().Equal(1, 2, 3);
    }

    [Fact]
    public async Task HandleAsync_OverlappingBatch_PublishesOnlyTheNewEvents()
    {
        await using var server = await StreamingTestServer.StartAsync();

        (await PostAsync(server, Body(Run("remote-1", Metric(1, 1), Metric(2, 2))))).Dispose();
        using var response = await PostAsync(server, Body(Run("remote-1", Metric(2, 2), Metric(3, 3), Metric(5, 5))));

        response.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.GetProperty("accepted").GetInt64().Should().Be(2);
        json.GetProperty("duplicates").GetInt64().Should().Be(1);
        await server.WaitForDispatchAsync();
        var history = server.Bus.GetHistory().Cast<MetricEvent>().ToList();
        history.Select(e => e.Step).Should().Equal(1, 2, 3, 5);
        history.Select(e => e.Sequence).Should().Equal(1, 2, 3, 4); // the server's own sequence stays contiguous
    }

    [Fact]
    public async Task HandleAsync_LaterBatches_ShareTheFirstDescriptorOfTheRun()
    {
        await using var server = await StreamingTestServer.StartAsync();

        (await PostAsync(server, Body("""{"run":{"id":"remote-1","name":"first"},"events":[""" + Metric(1, 1) + "]}"))).Dispose();
        (await PostAsync(server, Body("""{"run":{"id":"remote-1","name":"second"},"events":[""" + Metric(2, 2) + "]}"))).Dispose();

        await server.WaitForDispatchAsync();
        var history = server.Bus.GetHistory();
        history.Should().HaveCount(2);
        history[1].Run.Should().BeSameAs(history[0].Run);
        history[0].Run.Name.Should().Be("first");
    }

    [Fact]
    public async Task HandleAsync_TwoRunsPostedInParallel_KeepSeparateIdentitiesAndSequences()
    {
        await using var server = await StreamingTestServer.StartAsync();
        const int Batches = 20;
        const int PerBatch = 25;

        async Task SendRunAsync(string runId)
        {
            for (var b = 0; b < Batches; b++)
            {
                var events = Enumerable.Range(b * PerBatch + 1, PerBatch).Select(i => Metric(i, i)).ToArray();
                using var response = await PostAsync(server, Body(Run(runId, events)));
                response.StatusCode.Should().Be(HttpStatusCode.Accepted);
            }
        }

        await Task.WhenAll(Task.Run(() => SendRunAsync("remote-a")), Task.Run(() => SendRunAsync("remote-b")));

        await server.WaitForDispatchAsync();
        var history = server.Bus.GetHistory();
        history.Should().HaveCount(2 * Batches * PerBatch);
        foreach (var runId in new[] { "remote-a", "remote-b" })
        {
            var events = history.Where(e => e.RunId == runId).Cast<MetricEvent>().ToList();
            events.Select(e => e.Run).Distinct().Should().ContainSingle();
            events.Select(e => e.Step).Should().Equal(Enumerable.Range(1, Batches * PerBatch).Select(i => (long)i));
            events.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, Batches * PerBatch).Select(i => (long)i));
        }

        history.First(e => e.RunId == "remote-a").Run.Should().NotBeSameAs(history.First(e => e.RunId == "remote-b").Run);
    }

    [Fact]
    public async Task HandleAsync_SeveralRunsInOneBatch_ReportsEachRun()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await PostAsync(server, Body(Run("remote-a", Metric(1, 1)), Run("remote-b", Metric(4, 1), Metric(7, 2)), Run("remote-c")));

        var runs = (await ResponseAssertions.ReadJsonAsync(response)).GetProperty("runs").EnumerateArray().ToList();
        runs.Select(r => r.GetProperty("run_id").GetString()).Should().Equal("remote-a", "remote-b", "remote-c");
        runs.Select(r => r.GetProperty("accepted").GetInt64()).Should().Equal(1, 2, 0);
        runs.Select(r => r.GetProperty("last_sequence").GetInt64()).Should().Equal(1, 7, 0);
    }

    [Fact]
    public async Task HandleAsync_Get_IsNotAllowed()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(IngestPath);

        response.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
    }

    private static string Body(params string[] runs) => $$"""{"runs":[{{string.Join(",", runs)}}]}""";

    private static string Run(string id, params string[] events) => $$"""{"run":{"id":"{{id}}"},"events":[{{string.Join(",", events)}}]}""";

    private static string Metric(long sequence, long step, string values = "\"train_loss\":0.5") =>
        $$"""{"type":"metrics_update","sequence":{{sequence}},"timestamp":{{Timestamp}},"step":{{step}},"values":""" + "{" + values + "}}";

    /// <summary>A JSON body padded with trailing spaces to exactly <paramref name="size"/> bytes.</summary>
    private static string Padded(string json, int size) => json + new string(' ', size - Encoding.UTF8.GetByteCount(json));

    private static async Task<HttpResponseMessage> PostAsync(
        StreamingTestServer server, string body, string? contentType = "application/json", bool chunked = false)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, IngestPath);
        HttpContent content = chunked ? new UnknownLengthContent(bytes) : new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        request.Content = content;
        request.Headers.TransferEncodingChunked = chunked;
        return await server.Client.SendAsync(request);
    }
}
