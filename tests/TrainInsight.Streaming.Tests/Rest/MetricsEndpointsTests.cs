using System.Net;
using System.Text.Json;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class MetricsEndpointsTests
{
    private const string CurrentPath = "api/metrics/current";
    private const string HistoryPath = "api/metrics/history";

    [Fact]
    public async Task Current_NothingPublished_Returns404Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(CurrentPath);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("No metrics yet");
    }

    [Fact]
    public async Task Current_AfterMetricAndEpochEvents_ReturnsMergedMetricValuesAndLatestState()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var run = new RunDescriptor("run-a") { Name = "CIFAR run", ModelName = "SmallCnn", ParameterCount = 1234 };
        var metric = new MetricEvent(run, 100, new Dictionary<string, double>
        {
            [MetricNames.TrainLoss] = 0.7,
            [MetricNames.LearningRate] = 0.01,
            [MetricNames.StepsPerSecond] = 20,
            [MetricNames.EtaSeconds] = 90,
        })
        { Epoch = 1, Batch = 100 };
        // As the Torch hooks do at an epoch end: validation values as a metric update, then the epoch summary, whose
        // train_loss is the epoch's mean and must not replace the latest measured value.
        var validation = new MetricEvent(run, 100, new Dictionary<string, double>
        {
            [MetricNames.ValLoss] = 0.6,
            [MetricNames.ValAccuracy] = 0.75,
        })
        { Epoch = 1 };
        var epoch = EpochCompleted(run, 1, 100, (MetricNames.TrainLoss, 0.9), (MetricNames.ValLoss, 0.6), (MetricNames.ValAccuracy, 0.75));
        await server.PublishAsync(metric, validation, epoch);

        using var response = await server.Client.GetAsync(CurrentPath);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var json = await ResponseAssertions.ReadJsonAsync(response);
        json.EnumerateObject().Select(p => p.Name).Should().Equal("run_id", "run_name", "model_state", "timestamp", "sequence", "offset", "data");
        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.GetProperty("run_name").GetString().Should().Be("CIFAR run");
        json.GetProperty("model_state").GetString().Should().Be("training");
        json.GetProperty("sequence").GetInt64().Should().Be(3);
        json.GetProperty("offset").GetInt64().Should().Be(epoch.Offset);
        json.GetProperty("timestamp").GetDouble().Should().Be(epoch.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        var data = json.GetProperty("data");
        data.GetProperty("step").GetInt64().Should().Be(100);
        data.GetProperty("epoch").GetInt32().Should().Be(1);
        data.GetProperty("batch").GetInt32().Should().Be(100);
        data.GetProperty("train_loss").GetDouble().Should().Be(0.7);
        data.GetProperty("learning_rate").GetDouble().Should().Be(0.01);
        data.GetProperty("val_loss").GetDouble().Should().Be(0.6);
        data.GetProperty("val_accuracy").GetDouble().Should().Be(0.75);
        data.GetProperty("training_speed").GetDouble().Should().Be(20);
        data.GetProperty("eta").GetString().Should().Be("00:01:30");
        data.GetProperty("model_info").GetProperty("name").GetString().Should().Be("SmallCnn");
        data.GetProperty("model_info").GetProperty("parameters").GetInt64().Should().Be(1234);
    }

    [Fact]
    public async Task Current_StateChangingEvent_ReportsNewModelState()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), new TrainingEvent(run, TrainingEventKind.RunFinished) { State = RunState.Completed });

        var json = await GetJsonAsync(server, CurrentPath);

        json.GetProperty("model_state").GetString().Should().Be("completed");
        json.GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(1.0);
    }

    [Fact]
    public async Task Current_NoRunQuery_ReturnsRunThatPublishedLast()
    {
        await using var server = await StreamingTestServer.StartAsync();
        await server.PublishAsync(Loss(Run("run-a"), 1), Loss(Run("run-b"), 1));

        var json = await GetJsonAsync(server, CurrentPath);

        json.GetProperty("run_id").GetString().Should().Be("run-b");
    }

    [Fact]
    public async Task Current_RunQuery_ReturnsThatRun()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var a = Run("run-a");
        await server.PublishAsync(
            Metric(a, 5, (MetricNames.TrainLoss, 0.5)),
            Metric(Run("run-b"), 9, (MetricNames.TrainLoss, 0.9)));

        var json = await GetJsonAsync(server, CurrentPath + "?run=run-a");

        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.GetProperty("data").GetProperty("step").GetInt64().Should().Be(5);
        json.GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(0.5);
    }

    [Fact]
    public async Task Current_UnknownRun_Returns404Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();
        await server.PublishAsync(Loss(Run("run-a"), 1));

        using var response = await server.Client.GetAsync(CurrentPath + "?run=run-z");

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("Unknown run");
    }

    [Fact]
    public async Task Current_InvalidRunId_Returns400Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(CurrentPath + "?run=%3Cscript%3E");

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task History_NoLimit_ReturnsLatest100MetricEventsOldestFirst()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var run = Run("run-a");
        var events = new List<TrainInsightEvent>();
        for (var step = 1; step <= 150; step++)
        {
            events.Add(Loss(run, step));
            if (step % 50 == 0)
            {
                events.Add(EpochCompleted(run, step / 50, step, (MetricNames.ValLoss, 0.5)));
            }
        }

        await server.PublishAsync([.. events]);

        var json = await GetJsonAsync(server, HistoryPath);

        json.ValueKind.Should().Be(JsonValueKind.Array);
        json.GetArrayLength().Should().Be(100);
        json.EnumerateArray().Select(e => e.GetProperty("data").GetProperty("step").GetInt64())
            .Should().Equal(Enumerable.Range(51, 100).Select(i => (long)i));
        json.EnumerateArray().Should().OnlyContain(e => e.GetProperty("event_type").GetString() == "metrics_update");
        json.EnumerateArray().Select(e => e.GetProperty("offset").GetInt64()).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task History_Item_HasSameShapeAsSseData()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var metric = Metric(Run("run-a"), 1, (MetricNames.TrainLoss, 0.5), (MetricNames.GradientNorm, 2));
        using var cts = Eventually.Timeout();
        await using var sse = await SseReader.OpenAsync(await server.OpenSseAsync("api/stream/metrics", cts.Token), cts.Token);
        await server.PublishAsync(metric);
        var sseData = (await sse.NextAsync()).Data;

        using var response = await server.Client.GetAsync(HistoryPath);

        (await response.Content.ReadAsStringAsync()).Should().Be("[" + sseData + "]");
    }

    [Fact]
    public async Task History_LimitOne_ReturnsOnlyLatestMetricEvent()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), Loss(run, 2), EpochCompleted(run, 1, 2));

        var json = await GetJsonAsync(server, HistoryPath + "?limit=1");

        json.GetArrayLength().Should().Be(1);
        json[0].GetProperty("data").GetProperty("step").GetInt64().Should().Be(2);
    }

    [Fact]
    public async Task History_LimitAboveCount_ReturnsAllMetricEvents()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var run = Run("run-a");
        await server.PublishAsync(Loss(run, 1), EpochCompleted(run, 1, 1), Loss(run, 2));

        var json = await GetJsonAsync(server, HistoryPath + "?limit=10000");

        json.EnumerateArray().Select(e => e.GetProperty("data").GetProperty("step").GetInt64()).Should().Equal(1, 2);
    }

    [Fact]
    public async Task History_NothingPublished_ReturnsEmptyArray()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(HistoryPath);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("[]");
    }

    [Theory]
    [InlineData("0")]
    [InlineData("10001")]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("")]
    [InlineData("99999999999")]
    public async Task History_InvalidLimit_Returns400Problem(string limit)
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync($"{HistoryPath}?limit={limit}");

        response.Content.Headers.ContentType!.ToString().Should().StartWith("application/problem+json");
        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Invalid limit");
    }

    [Fact]
    public async Task History_RunQuery_ReturnsOnlyThatRunsMetricEvents()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var a = Run("run-a");
        var b = Run("run-b");
        await server.PublishAsync(Loss(a, 1), Loss(b, 1), Loss(a, 2), Loss(b, 2), Loss(b, 3));

        var json = await GetJsonAsync(server, HistoryPath + "?run=run-b&limit=2");

        json.EnumerateArray().Select(e => e.GetProperty("run_id").GetString()).Should().Equal("run-b", "run-b");
        json.EnumerateArray().Select(e => e.GetProperty("data").GetProperty("step").GetInt64()).Should().Equal(2, 3);
    }

    [Fact]
    public async Task History_InvalidRunId_Returns400Problem()
    {
        await using var server = await StreamingTestServer.StartAsync();

        using var response = await server.Client.GetAsync(HistoryPath + "?run=a%20b");

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task HistoryAndCurrent_EtaBeyondTimeSpanRange_StillServeTheEvent()
    {
        // An eta no TimeSpan can hold (a stalled run's estimate) must not make the event unserializable.
        await using var server = await StreamingTestServer.StartAsync();
        await server.PublishAsync(Metric(Run("run-a"), 1, (MetricNames.TrainLoss, 0.5), (MetricNames.EtaSeconds, 1e15)));

        var history = await GetJsonAsync(server, HistoryPath);
        var current = await GetJsonAsync(server, CurrentPath);

        history[0].GetProperty("data").GetProperty("train_loss").GetDouble().Should().Be(0.5);
        history[0].GetProperty("data").TryGetProperty("eta", out _).Should().BeFalse();
        current.GetProperty("data").TryGetProperty("eta", out _).Should().BeFalse();
    }

    private static async Task<JsonElement> GetJsonAsync(StreamingTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return await ResponseAssertions.ReadJsonAsync(response);
    }
}
