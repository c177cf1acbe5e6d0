using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Streaming.Tests.Infrastructure;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Rest;

public sealed class RunEndpointsTests
{
    private static readonly Action<TrainInsightOptions> s_fastStore = o => o.StoreFlushInterval = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task List_NothingStored_ReturnsEmptyList()
    {
        await using var server = await StartAsync();

        var json = await GetJsonAsync(server, "api/runs");

        json.GetProperty("runs").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task List_TwoRuns_MostRecentlyUpdatedFirstWithSummaryFields()
    {
        await using var server = await StartAsync();
        var started = DateTimeOffset.FromUnixTimeMilliseconds(1_795_483_000_123);
        var a = new RunDescriptor("run-a")
        {
            Name = "Fashion CNN",
            ModelName = "SmallCnn",
            ParameterCount = 105_866,
            TotalEpochs = 8,
            StepsPerEpoch = 469,
            StartedAt = started,
        };
        var b = Run("run-b");
        var first = new MetricEvent(a, 10, new Dictionary<string, double> { [MetricNames.TrainLoss] = 2.1, [MetricNames.LearningRate] = 0.001 }) { Epoch = 1 };
        var last = Metric(a, 20, (MetricNames.TrainLoss, 1.5));
        await server.PublishAsync(first, Loss(b, 1), last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs");

        var runs = json.GetProperty("runs").EnumerateArray().ToList();
        runs.Select(r => r.GetProperty("id").GetString()).Should().Equal("run-a", "run-b");
        var run = runs[0];
        run.EnumerateObject().Select(p => p.Name).Should().Equal(
            "id", "name", "model_name", "parameter_count", "total_epochs", "steps_per_epoch", "started_at", "state", "live",
            "first_event_at", "last_event_at", "event_count", "last_sequence", "last_offset", "last_step", "last_epoch", "metric_names");
        run.GetProperty("name").GetString().Should().Be("Fashion CNN");
        run.GetProperty("model_name").GetString().Should().Be("SmallCnn");
        run.GetProperty("parameter_count").GetInt64().Should().Be(105_866);
        run.GetProperty("total_epochs").GetInt32().Should().Be(8);
        run.GetProperty("steps_per_epoch").GetInt32().Should().Be(469);
        run.GetProperty("started_at").GetDouble().Should().Be(1_795_483_000.123);
        run.GetProperty("state").GetString().Should().Be("training");
        run.GetProperty("live").GetBoolean().Should().BeFalse();
        run.GetProperty("first_event_at").GetDouble().Should().Be(first.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        run.GetProperty("last_event_at").GetDouble().Should().Be(last.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        run.GetProperty("event_count").GetInt64().Should().Be(2);
        run.GetProperty("last_sequence").GetInt64().Should().Be(2);
        run.GetProperty("last_offset").GetInt64().Should().Be(last.Offset);
        run.GetProperty("last_step").GetInt64().Should().Be(20);
        run.GetProperty("last_epoch").GetInt32().Should().Be(1);
        run.GetProperty("metric_names").EnumerateArray().Select(n => n.GetString()).Should().Equal("learning_rate", "train_loss");

        // Fields a run does not have are omitted.
        runs[1].TryGetProperty("model_name", out _).Should().BeFalse();
        runs[1].TryGetProperty("last_epoch", out _).Should().BeFalse();
    }

    [Fact]
    public async Task List_AttachedRun_IsLive()
    {
        await using var server = await StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-live"));
        var last = Loss(trainer.Run, 1);
        await server.PublishAsync(Loss(Run("run-done"), 1), last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs");

        json.GetProperty("runs").EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("live").GetBoolean())
            .Should().Equal(new Dictionary<string, bool> { ["run-live"] = true, ["run-done"] = false });
    }

    [Fact]
    public async Task List_Limit_ReturnsThatManyMostRecentRuns()
    {
        await using var server = await StartAsync();
        var last = Loss(Run("run-c"), 1);
        await server.PublishAsync(Loss(Run("run-a"), 1), Loss(Run("run-b"), 1), last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs?limit=2");

        json.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("id").GetString()).Should().Equal("run-c", "run-b");
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=-1")]
    [InlineData("limit=abc")]
    [InlineData("limit=")]
    [InlineData("limit=1&limit=2")]
    public async Task List_InvalidLimit_Returns400NamingLimit(string query)
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("api/runs?" + query);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Invalid limit");
        problem.GetProperty("detail").GetString().Should().StartWith("limit must be one integer from 1 to 1,000");
    }

    [Fact]
    public async Task Get_KnownRun_ReturnsSummaryAndLiveLatestValues()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var train = new MetricEvent(run, 100, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.7, [MetricNames.LearningRate] = 0.01 }) { Epoch = 2 };
        var validation = new MetricEvent(run, 100, new Dictionary<string, double> { [MetricNames.ValLoss] = double.NaN }) { Epoch = 2 };
        var paused = new TrainingEvent(run, TrainingEventKind.ControlApplied) { State = RunState.Paused, Step = 100 };
        await server.PublishAsync(train, validation, paused);
        await server.WaitForStoreAsync(paused);

        var json = await GetJsonAsync(server, "api/runs/run-a");

        json.EnumerateObject().Select(p => p.Name).Should().StartWith(["id", "name", "started_at"]).And.EndWith("latest");
        json.GetProperty("id").GetString().Should().Be("run-a");
        json.GetProperty("state").GetString().Should().Be("paused");
        json.GetProperty("event_count").GetInt64().Should().Be(3);
        json.GetProperty("metric_names").GetArrayLength().Should().Be(3);
        var latest = json.GetProperty("latest");
        latest.GetProperty("source").GetString().Should().Be("live");
        latest.GetProperty("step").GetInt64().Should().Be(100);
        latest.GetProperty("epoch").GetInt32().Should().Be(2);
        latest.GetProperty("offset").GetInt64().Should().Be(paused.Offset);
        var values = latest.GetProperty("values");
        values.GetProperty("train_loss").GetDouble().Should().Be(0.7);
        values.GetProperty("learning_rate").GetDouble().Should().Be(0.01);
        values.GetProperty("val_loss").GetString().Should().Be("NaN");
    }

    [Fact]
    public async Task Get_RunWithHyperparameters_ListAndDetailShowThem()
    {
        await using var server = await StartAsync();
        var run = new RunDescriptor("run-h")
        {
            Hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.Optimizer] = "adam", [HyperparameterNames.LearningRate] = 0.001 },
        };
        var started = new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training };
        await server.PublishAsync(started);
        await server.WaitForStoreAsync(started);

        var detail = await GetJsonAsync(server, "api/runs/run-h");
        var list = await GetJsonAsync(server, "api/runs");

        detail.GetProperty("hyperparameters").GetRawText().Should().Be("""{"learning_rate":0.001,"optimizer":"adam"}""");
        list.GetProperty("runs")[0].GetProperty("hyperparameters").GetProperty("optimizer").GetString().Should().Be("adam");
        (await GetJsonAsync(server, "api/runs")).GetProperty("runs").EnumerateArray().Should().ContainSingle();
    }

    [Fact]
    public async Task Get_RunLostSinceARestart_IsLostWithTheStoresLatestValues()
    {
        // The store outlived a killed process whose run never finished; after the restart nothing more arrives.
        var run = Run("run-killed");
        var store = new InMemoryMetricStore();
        await store.AppendAsync(
        [
            new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0, Sequence = 1, Offset = 1 },
            new MetricEvent(run, 5, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1.25 }) { Sequence = 2, Offset = 2 },
        ]);
        await using var server = await StreamingTestServer.StartAsync(
            configureBus: o => { s_fastStore(o); o.LostRunTimeout = TimeSpan.FromMilliseconds(200); },
            configureServices: services => services.AddSingleton<IMetricStore>(store));

        var list = await Poll.UntilAsync(
            () => GetJsonAsync(server, "api/runs"), l => l.GetProperty("runs")[0].GetProperty("state").GetString() == "lost", "the run is listed as lost");
        var json = await GetJsonAsync(server, "api/runs/run-killed");

        list.GetProperty("runs")[0].GetProperty("last_sequence").GetInt64().Should().Be(3, "the lost notice is the run's third event");
        json.GetProperty("state").GetString().Should().Be("lost");
        var latest = json.GetProperty("latest");
        latest.GetProperty("source").GetString().Should().Be("store");
        latest.GetProperty("values").GetProperty("train_loss").GetDouble().Should().Be(1.25);
    }

    [Fact]
    public async Task Get_RunOnlyInStore_ReturnsValuesOfLastStoredStep()
    {
        // A store that outlived the process that wrote it: the bus has never seen the run.
        var run = Run("run-old");
        var store = new InMemoryMetricStore();
        await store.AppendAsync(
        [
            new MetricEvent(run, 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 2.0, [MetricNames.LearningRate] = 0.1 }) { Sequence = 1, Offset = 1 },
            new MetricEvent(run, 2, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1.0 }) { Sequence = 2, Offset = 2 },
            new MetricEvent(run, 2, new Dictionary<string, double> { [MetricNames.ValLoss] = double.PositiveInfinity }) { Sequence = 3, Offset = 3 },
            new TrainingEvent(run, TrainingEventKind.RunFinished) { State = RunState.Completed, Step = 2, Sequence = 4, Offset = 4 },
        ]);
        await using var server = await StartAsync(configureServices: services => services.AddSingleton<IMetricStore>(store));

        var json = await GetJsonAsync(server, "api/runs/run-old");

        json.GetProperty("state").GetString().Should().Be("completed");
        json.GetProperty("live").GetBoolean().Should().BeFalse();
        var latest = json.GetProperty("latest");
        latest.GetProperty("source").GetString().Should().Be("store");
        latest.GetProperty("step").GetInt64().Should().Be(2);
        latest.GetProperty("offset").GetInt64().Should().Be(3);
        latest.GetProperty("values").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("train_loss", "val_loss");
        latest.GetProperty("values").GetProperty("val_loss").GetString().Should().Be("Infinity");
    }

    [Theory]
    [InlineData("api/runs/run-z")]
    [InlineData("api/runs/run-z/metrics")]
    [InlineData("api/runs/run-z/commands")]
    [InlineData("api/runs/run-z/findings")]
    [InlineData("api/runs/run-z/findings?state=open&severity=critical&limit=5")]
    public async Task RunPaths_UnknownRun_Return404Problem(string path)
    {
        await using var server = await StartAsync();
        var last = Loss(Run("run-a"), 1);
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        using var response = await server.Client.GetAsync(path);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
        problem.GetProperty("title").GetString().Should().Be("Unknown run");
        problem.GetProperty("detail").GetString().Should().Contain("run-z");
    }

    [Theory]
    [InlineData("api/runs/bad$id")]
    [InlineData("api/runs/bad$id/metrics")]
    [InlineData("api/runs/bad$id/commands")]
    [InlineData("api/runs/bad$id/findings")]
    [InlineData("api/runs/bad$id/findings?state=closed")]
    public async Task RunPaths_MalformedRunId_Return400Problem(string path)
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync(path);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be("Invalid run id");
    }

    [Fact]
    public async Task Get_LongRunId_Returns400Problem()
    {
        await using var server = await StartAsync();

        using var response = await server.Client.GetAsync("api/runs/" + new string('a', 129));

        await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Metrics_NoQuery_ReturnsEveryPointInOffsetOrder()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var one = Metric(run, 1, (MetricNames.TrainLoss, 2.0), (MetricNames.LearningRate, 0.1));
        var other = Loss(Run("run-b"), 1);
        var two = Metric(run, 2, (MetricNames.TrainLoss, 1.0));
        await server.PublishAsync(one, other, two);
        await server.WaitForStoreAsync(two);

        var json = await GetJsonAsync(server, "api/runs/run-a/metrics");

        json.GetProperty("run_id").GetString().Should().Be("run-a");
        json.TryGetProperty("next_since", out _).Should().BeFalse();
        var points = json.GetProperty("points").EnumerateArray().ToList();
        points.Select(Describe).Should().Equal("learning_rate@1=0.1", "train_loss@1=2", "train_loss@2=1");
        points[0].EnumerateObject().Select(p => p.Name).Should().Equal("name", "step", "value", "timestamp", "sequence", "offset");
        points[2].GetProperty("sequence").GetInt64().Should().Be(2);
        points[2].GetProperty("offset").GetInt64().Should().Be(two.Offset);
        points[2].GetProperty("timestamp").GetDouble().Should().Be(two.Timestamp.ToUnixTimeMilliseconds() / 1000.0);
    }

    [Fact]
    public async Task Metrics_NamesCommaSeparatedAndRepeated_ReturnsOnlyThoseMetrics()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var last = Metric(run, 1, ("a", 1), ("b", 2), ("c", 3), ("d", 4));
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs/run-a/metrics?names=a,%20c&names=d");

        json.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should().Equal("a", "c", "d");
    }

    [Fact]
    public async Task Metrics_Since_ReturnsOnlyLaterSteps()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var events = Enumerable.Range(1, 5).Select(step => Loss(run, step)).ToArray();
        await server.PublishAsync(events);
        await server.WaitForStoreAsync(events[^1]);

        var json = await GetJsonAsync(server, "api/runs/run-a/metrics?since=3");

        json.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("step").GetInt64()).Should().Equal(4, 5);
    }

    [Fact]
    public async Task Metrics_LimitSplitsAStep_PageEndsAtStepBoundaryAndNextSinceReadsTheRest()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        // Step 2 has its training point and, in a later event, its validation point.
        var events = new[]
        {
            Metric(run, 1, (MetricNames.TrainLoss, 3)),
            Metric(run, 2, (MetricNames.TrainLoss, 2)),
            Metric(run, 2, (MetricNames.ValLoss, 2.5)),
            Metric(run, 3, (MetricNames.TrainLoss, 1)),
        };
        await server.PublishAsync(events);
        await server.WaitForStoreAsync(events[^1]);

        var first = await GetJsonAsync(server, "api/runs/run-a/metrics?limit=2");
        var second = await GetJsonAsync(server, $"api/runs/run-a/metrics?limit=2&since={first.GetProperty("next_since").GetInt64()}");
        var third = await GetJsonAsync(server, $"api/runs/run-a/metrics?limit=2&since={second.GetProperty("next_since").GetInt64()}");

        first.GetProperty("points").EnumerateArray().Select(Describe).Should().Equal("train_loss@1=3");
        first.GetProperty("next_since").GetInt64().Should().Be(1);
        second.GetProperty("points").EnumerateArray().Select(Describe).Should().Equal("train_loss@2=2", "val_loss@2=2.5");
        second.GetProperty("next_since").GetInt64().Should().Be(2);
        third.GetProperty("points").EnumerateArray().Select(Describe).Should().Equal("train_loss@3=1");
        third.TryGetProperty("next_since", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Metrics_LimitEndsBetweenSteps_ReturnsAFullPage()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var events = new[] { Loss(run, 1), Loss(run, 10), Loss(run, 20), Loss(run, 30) };
        await server.PublishAsync(events);
        await server.WaitForStoreAsync(events[^1]);

        var json = await GetJsonAsync(server, "api/runs/run-a/metrics?limit=3");

        json.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("step").GetInt64()).Should().Equal(1, 10, 20);
        json.GetProperty("next_since").GetInt64().Should().Be(20);
    }

    [Fact]
    public async Task Metrics_LimitExactlyMatchesPoints_HasNoNextSince()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var events = new[] { Loss(run, 1), Loss(run, 2) };
        await server.PublishAsync(events);
        await server.WaitForStoreAsync(events[^1]);

        var json = await GetJsonAsync(server, "api/runs/run-a/metrics?limit=2");

        json.GetProperty("points").GetArrayLength().Should().Be(2);
        json.TryGetProperty("next_since", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Metrics_NonFiniteValues_AreWrittenAsTheDocumentedStrings()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var last = Metric(run, 1, ("a_nan", double.NaN), ("b_pos", double.PositiveInfinity), ("c_neg", double.NegativeInfinity), ("d_finite", 0.25));
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        using var response = await server.Client.GetAsync("api/runs/run-a/metrics");
        var text = await response.Content.ReadAsStringAsync();

        text.Should().Contain("\"value\":\"NaN\"").And.Contain("\"value\":\"Infinity\"").And.Contain("\"value\":\"-Infinity\"").And.Contain("\"value\":0.25");
        var values = JsonDocument.Parse(text).RootElement.GetProperty("points").EnumerateArray()
            .Select(p => p.GetProperty("value").Deserialize<double>(new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }))
            .ToList();
        values.Should().Equal(double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.25);
    }

    [Theory]
    [InlineData("limit=0", "Invalid limit", "limit must be one integer from 1 to 100,000")]
    [InlineData("limit=100001", "Invalid limit", "limit must be one integer from 1 to 100,000")]
    [InlineData("limit=ten", "Invalid limit", "limit must be one integer from 1 to 100,000")]
    [InlineData("since=-1", "Invalid since", "since must be one step number")]
    [InlineData("since=1.5", "Invalid since", "since must be one step number")]
    [InlineData("since=1&since=2", "Invalid since", "since must be one step number")]
    [InlineData("names=", "Invalid names", "names must list at least one metric name")]
    [InlineData("names=,%20,", "Invalid names", "names must list at least one metric name")]
    public async Task Metrics_InvalidQuery_Returns400NamingTheParameter(string query, string title, string detail)
    {
        await using var server = await StartAsync();
        var last = Loss(Run("run-a"), 1);
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        using var response = await server.Client.GetAsync("api/runs/run-a/metrics?" + query);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        problem.GetProperty("detail").GetString().Should().StartWith(detail);
    }

    [Fact]
    public async Task Commands_PauseAcknowledgedThroughControlMailbox_ReturnsAuditRecord()
    {
        await using var server = await StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));
        await server.PublishAsync(Loss(trainer.Run, 1));
        using var submitted = await server.Client.PostAsJsonAsync("api/training/control", new { action = "pause", run_id = "run-a" });
        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var commandId = (await ResponseAssertions.ReadJsonAsync(submitted)).GetProperty("command_id").GetString();
        trainer.Decide = c => c.Action == ControlAction.Resume ? ControlStatus.Rejected : ControlStatus.Applied;
        trainer.StepBoundary().Should().Be(1);
        server.Control.Submit(ControlAction.Resume, "run-a");
        server.Control.Submit(ControlAction.Resume, "run-a");
        trainer.StepBoundary().Should().Be(2);
        await server.WaitForDispatchAsync();
        var acknowledgements = server.Bus.GetHistory().OfType<TrainingEvent>().ToList();
        await server.WaitForStoreAsync(acknowledgements[^1]);

        var json = await GetJsonAsync(server, "api/runs/run-a/commands");

        json.GetProperty("run_id").GetString().Should().Be("run-a");
        var commands = json.GetProperty("commands").EnumerateArray().ToList();
        commands.Should().HaveCount(3);
        var pause = commands[0];
        pause.GetProperty("command_id").GetString().Should().Be(commandId);
        pause.GetProperty("action").GetString().Should().Be("pause");
        pause.GetProperty("status").GetString().Should().Be("applied");
        pause.GetProperty("issued_at").GetDouble().Should().Be(trainer.Handled[0].IssuedAt.ToUnixTimeMilliseconds() / 1000.0);
        pause.GetProperty("handled_at").GetDouble().Should().Be(acknowledgements[0].Timestamp.ToUnixTimeMilliseconds() / 1000.0);
        pause.GetProperty("offset").GetInt64().Should().Be(acknowledgements[0].Offset);
        pause.TryGetProperty("message", out _).Should().BeFalse();
        commands[1].GetProperty("status").GetString().Should().Be("rejected");
        commands[1].GetProperty("message").GetString().Should().Be("rejected by the fake trainer");
        (await GetJsonAsync(server, "api/runs/run-a")).GetProperty("state").GetString().Should().Be("paused");
    }

    [Fact]
    public async Task Commands_SetLearningRate_ReturnsTheValueAndOmitsItForCommandsWithout()
    {
        await using var server = await StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"));
        await server.PublishAsync(Loss(trainer.Run, 1));
        using var submitted = await server.Client.PostAsJsonAsync("api/training/control", new { action = "set_learning_rate", value = 0.003, run_id = "run-a" });
        submitted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        server.Control.Submit(ControlAction.SetWeightDecay, "run-a", double.NaN);
        server.Control.Submit(ControlAction.Pause, "run-a");
        trainer.Decide = c => c.Value is { } v && double.IsNaN(v) ? ControlStatus.Rejected : ControlStatus.Applied;
        trainer.StepBoundary().Should().Be(3);
        await server.WaitForDispatchAsync();
        await server.WaitForStoreAsync(server.Bus.GetHistory().OfType<TrainingEvent>().Last());

        var commands = (await GetJsonAsync(server, "api/runs/run-a/commands")).GetProperty("commands").EnumerateArray().ToList();

        commands.Select(c => c.GetProperty("action").GetString()).Should().Equal("set_learning_rate", "set_weight_decay", "pause");
        commands[0].GetProperty("value").GetDouble().Should().Be(0.003);
        commands[1].GetProperty("value").GetString().Should().Be("NaN");
        commands[1].GetProperty("status").GetString().Should().Be("rejected");
        commands[2].TryGetProperty("value", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Commands_CheckpointEvaluateAndEarlyStopping_ReturnActionsValuesAndMessages()
    {
        await using var server = await StartAsync();
        using var trainer = new FakeTrainer(server.Bus, server.Control, Run("run-a"))
        {
            Decide = c => c.Value is { } v && v != Math.Floor(v) ? ControlStatus.Rejected : ControlStatus.Applied,
            AppliedMessage = c => c.Action switch
            {
                ControlAction.SaveCheckpoint => "Saved checkpoint ckpt/step-1.bin.",
                ControlAction.Evaluate => "val_loss 0.41, val_accuracy 0.86.",
                _ => null,
            },
        };
        await server.PublishAsync(Loss(trainer.Run, 1));
        foreach (var body in new object[]
        {
            new { action = "save_checkpoint", run_id = "run-a" },
            new { action = "evaluate", run_id = "run-a" },
            new { action = "set_early_stopping", value = 0, run_id = "run-a" },
            new { action = "set_early_stopping", value = 2.5, run_id = "run-a" },
        })
        {
            using var submitted = await server.Client.PostAsJsonAsync("api/training/control", body);
            submitted.StatusCode.Should().Be(HttpStatusCode.Accepted);
        }

        trainer.StepBoundary().Should().Be(4);
        await server.WaitForDispatchAsync();
        await server.WaitForStoreAsync(server.Bus.GetHistory().OfType<TrainingEvent>().Last());

        var commands = (await GetJsonAsync(server, "api/runs/run-a/commands")).GetProperty("commands").EnumerateArray().ToList();

        commands.Select(c => c.GetProperty("action").GetString()).Should().Equal("save_checkpoint", "evaluate", "set_early_stopping", "set_early_stopping");
        commands.Select(c => c.GetProperty("status").GetString()).Should().Equal("applied", "applied", "applied", "rejected");
        commands[0].TryGetProperty("value", out _).Should().BeFalse();
        commands[0].GetProperty("message").GetString().Should().Be("Saved checkpoint ckpt/step-1.bin.");
        commands[1].TryGetProperty("value", out _).Should().BeFalse();
        commands[1].GetProperty("message").GetString().Should().Be("val_loss 0.41, val_accuracy 0.86.");
        commands[2].GetProperty("value").GetDouble().Should().Be(0);
        commands[2].TryGetProperty("message", out _).Should().BeFalse();
        commands[3].GetProperty("value").GetDouble().Should().Be(2.5);
        commands[3].GetProperty("message").GetString().Should().Be("rejected by the fake trainer");
    }

    [Fact]
    public async Task Commands_RunWithoutCommands_ReturnsEmptyList()
    {
        await using var server = await StartAsync();
        var last = Loss(Run("run-a"), 1);
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs/run-a/commands");

        json.GetProperty("commands").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Findings_Revisions_ReturnsTheLatestOfEachAsItsSseDataInTheOrderFirstRaised()
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var a = Finding(run, "a");
        var b = Finding(run, "b", severity: FindingSeverity.Critical);
        var aUpdated = Finding(run, "a", revision: 2);
        var bResolved = Finding(run, "b", FindingState.Resolved, FindingSeverity.Critical, 2);
        await server.PublishAsync(a, Loss(run, 100), b, aUpdated, Finding(Run("run-b"), "a"), bResolved);
        await server.WaitForStoreAsync(bResolved);

        using var response = await server.Client.GetAsync("api/runs/run-a/findings");
        var text = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        text.Should().Be(
            """{"run_id":"run-a","findings":[""" + Encoding.UTF8.GetString(WireFormat.SerializeSse(aUpdated)) + "," + Encoding.UTF8.GetString(WireFormat.SerializeSse(bResolved)) + "]}",
            "each finding is the SSE data of its latest revision");
        var findings = JsonDocument.Parse(text).RootElement.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => (f.GetProperty("offset").GetInt64(), f.GetProperty("data").GetProperty("revision").GetInt32())).Should().Equal((aUpdated.Offset, 2), (bResolved.Offset, 2));
        findings[0].GetProperty("event_type").GetString().Should().Be("finding");
        findings[0].GetProperty("data").GetProperty("evidence")[1].GetProperty("value").GetString().Should().Be("NaN");
    }

    [Theory]
    [InlineData("", "a2 b2 c1 d1")]
    [InlineData("state=open", "a2 c1")]
    [InlineData("state=resolved", "b2 d1")]
    [InlineData("severity=info", "a2 b2 c1 d1")]
    [InlineData("severity=warning", "a2 b2 d1")]
    [InlineData("severity=critical", "a2 b2")]
    [InlineData("state=open&severity=critical", "a2")]
    [InlineData("state=resolved&severity=warning&limit=1", "b2")]
    [InlineData("limit=3", "a2 b2 c1")]
    [InlineData("limit=10000", "a2 b2 c1 d1")]
    public async Task Findings_Filters_ApplyToTheLatestRevision(string query, string expected)
    {
        await using var server = await StartAsync();
        var run = Run("run-a");
        var last = Finding(run, "b", FindingState.Resolved, FindingSeverity.Critical, 2);
        await server.PublishAsync(
            Finding(run, "a", severity: FindingSeverity.Warning),
            Finding(run, "b", severity: FindingSeverity.Critical),
            Finding(run, "c", severity: FindingSeverity.Info),
            Finding(run, "d", FindingState.Resolved, FindingSeverity.Warning),
            Finding(run, "a", severity: FindingSeverity.Critical, revision: 2),
            last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs/run-a/findings?" + query);

        string.Join(' ', json.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("data").GetProperty("finding_id").GetString() + f.GetProperty("data").GetProperty("revision").GetInt32()))
            .Should().Be(expected);
    }

    [Fact]
    public async Task Findings_RunWithoutFindings_ReturnsEmptyList()
    {
        await using var server = await StartAsync();
        var last = Loss(Run("run-a"), 1);
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "api/runs/run-a/findings");

        json.GetRawText().Should().Be("""{"run_id":"run-a","findings":[]}""");
    }

    [Theory]
    [InlineData("state=closed", "Invalid state", "state must be one of open or resolved, given once, not 'closed'.")]
    [InlineData("state=Open", "Invalid state", "state must be one of open or resolved, given once, not 'Open'.")]
    [InlineData("state=", "Invalid state", "state must be one of open or resolved, given once, not ''.")]
    [InlineData("state=open&state=resolved", "Invalid state", "state must be one of open or resolved, given once, not 'open,resolved'.")]
    [InlineData("severity=error", "Invalid severity", "severity must be one of info, warning or critical (the least severity to return), given once, not 'error'.")]
    [InlineData("severity=WARNING", "Invalid severity", "severity must be one of info, warning or critical (the least severity to return), given once, not 'WARNING'.")]
    [InlineData("limit=0", "Invalid limit", "limit must be one integer from 1 to 10,000, not '0'.")]
    [InlineData("limit=10001", "Invalid limit", "limit must be one integer from 1 to 10,000, not '10001'.")]
    [InlineData("limit=many", "Invalid limit", "limit must be one integer from 1 to 10,000, not 'many'.")]
    public async Task Findings_InvalidQuery_Returns400NamingTheParameterAndTheAllowedValues(string query, string title, string detail)
    {
        await using var server = await StartAsync();
        var last = Finding(Run("run-a"));
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        using var response = await server.Client.GetAsync("api/runs/run-a/findings?" + query);

        var problem = await ResponseAssertions.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("title").GetString().Should().Be(title);
        problem.GetProperty("detail").GetString().Should().Be(detail);
    }

    [Fact]
    public async Task Findings_WithPrefix_AreMappedUnderIt()
    {
        await using var server = await StartAsync(prefix: "/traininsight");
        var last = Finding(Run("run-a"));
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        var json = await GetJsonAsync(server, "traininsight/api/runs/run-a/findings?state=open");

        json.GetProperty("findings").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task RunPaths_WithPrefix_AreMappedUnderIt()
    {
        await using var server = await StartAsync(prefix: "/traininsight");
        var last = Loss(Run("run-a"), 1);
        await server.PublishAsync(last);
        await server.WaitForStoreAsync(last);

        var runs = await GetJsonAsync(server, "traininsight/api/runs");
        using var unprefixed = await server.Client.GetAsync("api/runs");

        runs.GetProperty("runs").GetArrayLength().Should().Be(1);
        unprefixed.StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    private static Task<StreamingTestServer> StartAsync(string prefix = "", Action<IServiceCollection>? configureServices = null) =>
        StreamingTestServer.StartAsync(configureBus: s_fastStore, prefix: prefix, configureServices: configureServices);

    private static string Describe(JsonElement point) =>
        $"{point.GetProperty("name").GetString()}@{point.GetProperty("step").GetInt64()}={point.GetProperty("value").GetDouble()}";

    private static async Task<JsonElement> GetJsonAsync(StreamingTestServer server, string path)
    {
        using var response = await server.Client.GetAsync(path);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        return await ResponseAssertions.ReadJsonAsync(response);
    }
}
