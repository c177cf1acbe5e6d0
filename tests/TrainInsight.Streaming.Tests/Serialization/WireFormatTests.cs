using System.Buffers;
using System.Text;
using System.Text.Json;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Serialization;

public sealed class WireFormatTests
{
    private static readonly DateTimeOffset s_timestamp = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_250);

    [Fact]
    public void SerializeSse_MetricEvent_WritesEnvelopeInDocumentedOrder()
    {
        var metric = new MetricEvent(Run("run-a"), 3, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.5 }, s_timestamp);

        var text = Encoding.UTF8.GetString(WireFormat.SerializeSse(metric));

        text.Should().Be("""{"timestamp":1767225600.25,"event_type":"metrics_update","run_id":"run-a","sequence":0,"offset":0,"data":{"step":3,"train_loss":0.5}}""");
    }

    [Fact]
    public void SerializeWebSocket_MetricEvent_WritesMessageTypeFirst()
    {
        var metric = new MetricEvent(Run("run-a"), 3, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.5 }, s_timestamp);

        var text = Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(metric));

        text.Should().Be("""{"message_type":"metrics_update","timestamp":1767225600.25,"run_id":"run-a","sequence":0,"offset":0,"data":{"step":3,"train_loss":0.5}}""");
    }

    [Fact]
    public void SerializeSse_TrainingEvent_WritesEventKindAfterType()
    {
        var finished = new TrainingEvent(Run("run-a"), TrainingEventKind.RunFinished, s_timestamp) { State = RunState.Completed };

        Names(Sse(finished)).Should().Equal("timestamp", "event_type", "event", "run_id", "sequence", "offset", "data");
        Names(WebSocket(finished)).Should().Equal("message_type", "event", "timestamp", "run_id", "sequence", "offset", "data");
        Sse(finished).GetProperty("event").GetString().Should().Be("run_finished");
        Sse(finished).GetProperty("data").GetProperty("model_state").GetString().Should().Be("completed");
    }

    [Fact]
    public void SerializeSse_DispatchedEvent_CarriesBusSequenceAndOffset()
    {
        using var bus = TelemetryBus.Create();
        var run = Run("run-a");
        var other = Loss(Run("run-b"), 1);
        var metric = Loss(run, 1);
        bus.TryPublish(other);
        bus.TryPublish(metric);
        SpinWait.SpinUntil(() => bus.GetStatistics().Dispatched == 2, TimeSpan.FromSeconds(10)).Should().BeTrue();

        var json = Sse(metric);

        json.GetProperty("sequence").GetInt64().Should().Be(1);
        json.GetProperty("offset").GetInt64().Should().Be(2);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void SerializeSse_NonFiniteValue_WrittenAsString(double value, string expected)
    {
        var metric = Metric(Run(), 1, (MetricNames.TrainLoss, value), (MetricNames.LearningRate, value), ("custom", value));

        var data = Sse(metric).GetProperty("data");

        data.GetProperty("train_loss").GetString().Should().Be(expected);
        data.GetProperty("learning_rate").GetString().Should().Be(expected);
        data.GetProperty("advanced_metrics").GetProperty("custom").GetString().Should().Be(expected);
    }

    [Fact]
    public void SerializeSse_NonFiniteTrainingMetric_WrittenAsString()
    {
        var epoch = EpochCompleted(Run(), 1, 10, (MetricNames.ValLoss, double.NaN), (MetricNames.BestAccuracy, double.PositiveInfinity));

        var data = Sse(epoch).GetProperty("data");

        data.GetProperty("metrics").GetProperty("val_loss").GetString().Should().Be("NaN");
        data.GetProperty("best_accuracy").GetString().Should().Be("Infinity");
    }

    [Fact]
    public void SerializeSse_WellKnownTopLevelNames_WrittenAtTopLevel()
    {
        string[] topLevel =
        [
            MetricNames.TrainLoss, MetricNames.ValLoss, MetricNames.TrainAccuracy, MetricNames.ValAccuracy,
            MetricNames.LearningRate, MetricNames.GpuMemoryUsed, MetricNames.GpuMemoryTotal, MetricNames.SamplesPerSecond,
        ];
        var metric = Metric(Run(), 1, topLevel.Select((name, i) => (name, (double)i)).ToArray());

        var data = Sse(metric).GetProperty("data");

        Names(data).Should().BeEquivalentTo(["step", .. topLevel]);
        for (var i = 0; i < topLevel.Length; i++)
        {
            data.GetProperty(topLevel[i]).GetDouble().Should().Be(i);
        }
    }

    [Fact]
    public void SerializeSse_OtherNames_GoToAdvancedMetrics()
    {
        var metric = Metric(Run(), 1,
            (MetricNames.TrainLoss, 0.5),
            (MetricNames.GradientNorm, 2.5),
            (MetricNames.WeightNorm, 30),
            (MetricNames.BatchTime, 0.02),
            ("my.custom-metric", 7),
            ("step", 99)); // A metric may share a name with an envelope field; it must not overwrite it.

        var data = Sse(metric).GetProperty("data");

        data.GetProperty("step").GetInt64().Should().Be(1);
        data.GetProperty("train_loss").GetDouble().Should().Be(0.5);
        var advanced = data.GetProperty("advanced_metrics");
        Names(advanced).Should().BeEquivalentTo(
            MetricNames.GradientNorm, MetricNames.WeightNorm, MetricNames.BatchTime, "my.custom-metric", "step");
        advanced.GetProperty(MetricNames.GradientNorm).GetDouble().Should().Be(2.5);
        advanced.GetProperty("my.custom-metric").GetDouble().Should().Be(7);
        advanced.GetProperty("step").GetDouble().Should().Be(99);
        data.TryGetProperty(MetricNames.GradientNorm, out _).Should().BeFalse();
    }

    [Fact]
    public void SerializeSse_OnlyTopLevelNames_NoAdvancedMetricsObject()
    {
        var data = Sse(Metric(Run(), 1, (MetricNames.TrainLoss, 0.5), (MetricNames.StepsPerSecond, 3), (MetricNames.EtaSeconds, 10))).GetProperty("data");

        data.TryGetProperty("advanced_metrics", out _).Should().BeFalse();
    }

    [Fact]
    public void SerializeSse_StepsPerSecond_WrittenAsTrainingSpeed()
    {
        var data = Sse(Metric(Run(), 1, (MetricNames.StepsPerSecond, 12.5))).GetProperty("data");

        data.GetProperty("training_speed").GetDouble().Should().Be(12.5);
        data.TryGetProperty(MetricNames.StepsPerSecond, out _).Should().BeFalse();
        data.TryGetProperty("advanced_metrics", out _).Should().BeFalse();
    }

    [Fact]
    public void SerializeSse_NonFiniteStepsPerSecond_TrainingSpeedWrittenAsString()
    {
        var data = Sse(Metric(Run(), 1, (MetricNames.StepsPerSecond, double.NaN))).GetProperty("data");

        data.GetProperty("training_speed").GetString().Should().Be("NaN");
    }

    [Theory]
    [InlineData(3725, "01:02:05")]
    [InlineData(0, "00:00:00")]
    [InlineData(59.5, "00:01:00")]
    [InlineData(86_399, "23:59:59")]
    [InlineData(90_061, "1.01:01:01")]
    public void SerializeSse_EtaSeconds_WrittenAsFormattedEta(double seconds, string expected)
    {
        var data = Sse(Metric(Run(), 1, (MetricNames.EtaSeconds, seconds))).GetProperty("data");

        data.GetProperty("eta").GetString().Should().Be(expected);
        data.TryGetProperty(MetricNames.EtaSeconds, out _).Should().BeFalse();
        data.TryGetProperty("advanced_metrics", out _).Should().BeFalse();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e12)] // beyond TimeSpan's range
    [InlineData(double.MaxValue)]
    public void SerializeSse_EtaSecondsNotRepresentable_EtaOmitted(double seconds)
    {
        var metric = Metric(Run(), 1, (MetricNames.TrainLoss, 1), (MetricNames.EtaSeconds, seconds));

        var data = Sse(metric).GetProperty("data");

        data.TryGetProperty("eta", out _).Should().BeFalse();
        data.TryGetProperty("advanced_metrics", out _).Should().BeFalse();
        data.GetProperty("train_loss").GetDouble().Should().Be(1);
    }

    [Theory]
    [InlineData(0, "00:00:00")]
    [InlineData(1.49, "00:00:01")]
    [InlineData(3600, "01:00:00")]
    [InlineData(86_400, "1.00:00:00")]
    [InlineData(10 * 86_400 + 5, "10.00:00:05")]
    public void FormatEta_Seconds_FormatsAsHoursMinutesSecondsWithDaysFromOneDay(double seconds, string expected)
    {
        WireFormat.FormatEta(seconds).Should().Be(expected);
    }

    [Fact]
    public void SerializeSse_RunWithModelInfo_WritesModelInfo()
    {
        var run = new RunDescriptor("run-a") { ModelName = "SmallCnn", ParameterCount = 421_642 };

        var modelInfo = Sse(Loss(run, 1)).GetProperty("data").GetProperty("model_info");

        Names(modelInfo).Should().Equal("name", "parameters");
        modelInfo.GetProperty("name").GetString().Should().Be("SmallCnn");
        modelInfo.GetProperty("parameters").GetInt64().Should().Be(421_642);
    }

    [Fact]
    public void SerializeSse_RunWithOnlyModelName_WritesOnlyName()
    {
        var run = new RunDescriptor("run-a") { ModelName = "SmallCnn" };

        var modelInfo = Sse(Loss(run, 1)).GetProperty("data").GetProperty("model_info");

        Names(modelInfo).Should().Equal("name");
    }

    [Fact]
    public void SerializeSse_RunWithoutModelInfo_OmitsModelInfo()
    {
        var data = Sse(Loss(Run(), 1)).GetProperty("data");

        data.TryGetProperty("model_info", out _).Should().BeFalse();
    }

    [Fact]
    public void SerializeSse_MetricEventWithoutEpochOrBatch_OmitsThem()
    {
        var data = Sse(new MetricEvent(Run(), 5, null)).GetProperty("data");

        Names(data).Should().Equal("step");
    }

    [Fact]
    public void SerializeSse_MetricEventWithEpochAndBatch_WritesThemAfterStep()
    {
        var data = Sse(new MetricEvent(Run(), 5, null) { Epoch = 2, Batch = 3 }).GetProperty("data");

        Names(data).Should().Equal("step", "epoch", "batch");
    }

    [Fact]
    public void SerializeSse_BareTrainingEvent_WritesEmptyData()
    {
        var data = Sse(new TrainingEvent(Run(), TrainingEventKind.RunFinished)).GetProperty("data");

        Names(data).Should().BeEmpty();
    }

    [Fact]
    public void SerializeSse_RunStarted_WritesRunFacts()
    {
        var run = new RunDescriptor("run-a") { Name = "CIFAR", ModelName = "SmallCnn", ParameterCount = 10, TotalEpochs = 5, StepsPerEpoch = 390 };

        var data = Sse(new TrainingEvent(run, TrainingEventKind.RunStarted) { State = RunState.Training }).GetProperty("data");

        Names(data).Should().Equal("model_state", "run_name", "model_info", "total_epochs", "steps_per_epoch");
        data.GetProperty("run_name").GetString().Should().Be("CIFAR");
        data.GetProperty("total_epochs").GetInt32().Should().Be(5);
        data.GetProperty("steps_per_epoch").GetInt32().Should().Be(390);
    }

    [Fact]
    public void SerializeSse_RunStartedWithHyperparameters_WritesThemSortedWithTheirTypes()
    {
        var run = new RunDescriptor("run-a")
        {
            Hyperparameters = new Dictionary<string, HyperparameterValue>
            {
                [HyperparameterNames.Optimizer] = "sgd",
                [HyperparameterNames.LearningRate] = 0.05,
                [HyperparameterNames.BatchSize] = 128,
                [HyperparameterNames.Shuffle] = true,
            },
        };

        var data = Sse(new TrainingEvent(run, TrainingEventKind.RunStarted, s_timestamp)).GetProperty("data");

        data.GetProperty("hyperparameters").GetRawText().Should().Be("""{"batch_size":128,"learning_rate":0.05,"optimizer":"sgd","shuffle":true}""");
    }

    [Fact]
    public void SerializeSse_MetricEventOfRunWithSchedule_CarriesLrScheduleInAdvancedMetrics()
    {
        var run = new RunDescriptor("run-a") { Hyperparameters = new Dictionary<string, HyperparameterValue> { [HyperparameterNames.LearningRateSchedule] = "cosine" } };

        var plain = Sse(new MetricEvent(run, 3, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.5 }, s_timestamp)).GetProperty("data");
        var withAdvanced = Sse(new MetricEvent(run, 4, new Dictionary<string, double> { [MetricNames.GradientNorm] = 0.02 }, s_timestamp)).GetProperty("data");

        plain.GetProperty("advanced_metrics").GetRawText().Should().Be("""{"lr_schedule":"cosine"}""");
        withAdvanced.GetProperty("advanced_metrics").GetRawText().Should().Be("""{"gradient_norm":0.02,"lr_schedule":"cosine"}""");
    }

    [Fact]
    public void SerializeSse_RunLost_WritesLostStateAndMessage()
    {
        var lost = new TrainingEvent(Run("run-a"), TrainingEventKind.RunLost, s_timestamp) { State = RunState.Lost, Step = 41, Message = "No event for 10 minutes." };

        Encoding.UTF8.GetString(WireFormat.SerializeSse(lost)).Should().Be(
            """{"timestamp":1767225600.25,"event_type":"training_event","event":"run_lost","run_id":"run-a","sequence":0,"offset":0,"data":{"step":41,"model_state":"lost","message":"No event for 10 minutes."}}""");
    }

    [Fact]
    public void SerializeSse_RunStartedWithoutOptionalFacts_OmitsThem()
    {
        var data = Sse(new TrainingEvent(Run(), TrainingEventKind.RunStarted)).GetProperty("data");

        Names(data).Should().Equal("run_name");
    }

    [Fact]
    public void SerializeSse_EpochCompleted_MovesBestAccuracyOutOfMetrics()
    {
        var epoch = EpochCompleted(Run(), 3, 300, (MetricNames.ValLoss, 0.3), (MetricNames.ValAccuracy, 0.9), (MetricNames.BestAccuracy, 0.91));

        var data = Sse(epoch).GetProperty("data");

        Names(data).Should().Equal("epoch", "step", "metrics", "model_state", "checkpoint_saved", "best_accuracy");
        Names(data.GetProperty("metrics")).Should().Equal(MetricNames.ValLoss, MetricNames.ValAccuracy);
        data.GetProperty("best_accuracy").GetDouble().Should().Be(0.91);
        data.GetProperty("checkpoint_saved").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public void SerializeSse_CheckpointSaved_WritesPath()
    {
        var saved = new TrainingEvent(Run(), TrainingEventKind.CheckpointSaved) { CheckpointPath = "ckpt/best.bin" };

        var data = Sse(saved).GetProperty("data");

        data.GetProperty("checkpoint_saved").GetBoolean().Should().BeTrue();
        data.GetProperty("checkpoint_path").GetString().Should().Be("ckpt/best.bin");
    }

    [Fact]
    public void SerializeSse_ControlApplied_WritesCommandAndStatus()
    {
        var command = new ControlCommand(ControlAction.Stop, "run-a");
        var applied = new TrainingEvent(Run(), TrainingEventKind.ControlApplied)
        {
            Command = command,
            ControlStatus = ControlStatus.Rejected,
            Message = "already stopping",
        };

        var data = Sse(applied).GetProperty("data");

        Names(data).Should().Equal("command_id", "action", "status", "message");
        data.GetProperty("command_id").GetString().Should().Be(command.Id);
        data.GetProperty("action").GetString().Should().Be("stop");
        data.GetProperty("status").GetString().Should().Be("rejected");
        data.GetProperty("message").GetString().Should().Be("already stopping");
    }

    [Fact]
    public void SerializeSse_NamesNeedingEscapes_ProduceValidJson()
    {
        var metric = Metric(Run(), 1, ("quote\"and\\slash\nnewline", 1));

        var bytes = WireFormat.SerializeSse(metric);

        bytes.Should().NotContain((byte)'\n', "an SSE data line must not be split");
        Sse(metric).GetProperty("data").GetProperty("advanced_metrics").GetProperty("quote\"and\\slash\nnewline").GetDouble().Should().Be(1);
    }

    [Fact]
    public void WriteSnapshot_Snapshot_WritesDocumentedShape()
    {
        using var bus = TelemetryBus.Create();
        var run = new RunDescriptor("run-a") { Name = "CIFAR", ModelName = "SmallCnn" };
        bus.TryPublish(new MetricEvent(run, 10, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.4, ["custom"] = 1 }, s_timestamp) { Epoch = 1, Batch = 10 });
        bus.TryPublish(new TrainingEvent(run, TrainingEventKind.ControlApplied, s_timestamp) { State = RunState.Paused });
        SpinWait.SpinUntil(() => bus.GetStatistics().Dispatched == 2, TimeSpan.FromSeconds(10)).Should().BeTrue();

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WireFormat.WriteSnapshot(writer, bus.GetCurrent()!);
        }

        Encoding.UTF8.GetString(buffer.WrittenSpan).Should().Be(
            """{"run_id":"run-a","run_name":"CIFAR","model_state":"paused","timestamp":1767225600.25,"sequence":2,"offset":2,"data":{"step":10,"epoch":1,"batch":10,"train_loss":0.4,"model_info":{"name":"SmallCnn"},"advanced_metrics":{"custom":1}}}""");
    }

    [Theory]
    [InlineData(RunState.Training, "training")]
    [InlineData(RunState.Paused, "paused")]
    [InlineData(RunState.Stopped, "stopped")]
    [InlineData(RunState.Completed, "completed")]
    [InlineData(RunState.Failed, "failed")]
    [InlineData(RunState.Lost, "lost")]
    public void StateName_EveryState_IsSnakeCase(RunState state, string expected) => WireNames.State(state).Should().Be(expected);

    [Theory]
    [InlineData(TrainingEventKind.RunStarted, "run_started")]
    [InlineData(TrainingEventKind.RunFinished, "run_finished")]
    [InlineData(TrainingEventKind.EpochCompleted, "epoch_completed")]
    [InlineData(TrainingEventKind.CheckpointSaved, "checkpoint_saved")]
    [InlineData(TrainingEventKind.ControlApplied, "control_applied")]
    [InlineData(TrainingEventKind.RunLost, "run_lost")]
    public void KindName_EveryKind_IsSnakeCase(TrainingEventKind kind, string expected) => WireNames.Kind(kind).Should().Be(expected);

    [Theory]
    [InlineData(ControlAction.Pause, "pause")]
    [InlineData(ControlAction.Resume, "resume")]
    [InlineData(ControlAction.Stop, "stop")]
    [InlineData(ControlAction.SetLearningRate, "set_learning_rate")]
    [InlineData(ControlAction.SetWeightDecay, "set_weight_decay")]
    [InlineData(ControlAction.SaveCheckpoint, "save_checkpoint")]
    [InlineData(ControlAction.Evaluate, "evaluate")]
    [InlineData(ControlAction.SetEarlyStopping, "set_early_stopping")]
    public void ActionName_EveryAction_IsLowerCase(ControlAction action, string expected) => WireNames.Action(action).Should().Be(expected);

    [Fact]
    public void TryParseAction_NameOfEveryDefinedAction_RoundTrips()
    {
        foreach (var action in Enum.GetValues<ControlAction>())
        {
            var name = WireNames.Action(action);

            WireNames.TryParseAction(name, out var parsed).Should().BeTrue(name);
            parsed.Should().Be(action);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("SaveCheckpoint")]
    [InlineData("SAVE_CHECKPOINT")]
    [InlineData("save-checkpoint")]
    [InlineData("Evaluate")]
    [InlineData(" evaluate")]
    [InlineData("set_early_stopping ")]
    [InlineData("early_stopping")]
    public void TryParseAction_NotAnExactWireName_ReturnsFalse(string? name) =>
        WireNames.TryParseAction(name, out _).Should().BeFalse();

    [Theory]
    [InlineData(ControlAction.Pause, false)]
    [InlineData(ControlAction.Resume, false)]
    [InlineData(ControlAction.Stop, false)]
    [InlineData(ControlAction.SetLearningRate, true)]
    [InlineData(ControlAction.SetWeightDecay, true)]
    [InlineData(ControlAction.SaveCheckpoint, false)]
    [InlineData(ControlAction.Evaluate, false)]
    [InlineData(ControlAction.SetEarlyStopping, true)]
    public void ActionTakesValue_EveryAction_TrueExactlyForTheSetActions(ControlAction action, bool expected) =>
        WireFormat.ActionTakesValue(action).Should().Be(expected);

    [Theory]
    [InlineData(ControlAction.SetEarlyStopping, 5.0, "set_early_stopping")]
    [InlineData(ControlAction.SetEarlyStopping, 0.0, "set_early_stopping")]
    [InlineData(ControlAction.SaveCheckpoint, null, "save_checkpoint")]
    [InlineData(ControlAction.Evaluate, null, "evaluate")]
    public void SerializeWebSocket_ControlAppliedForNewAction_WritesActionValueAndMessage(ControlAction action, double? value, string name)
    {
        var command = new ControlCommand(action, "run-a", value);
        var applied = new TrainingEvent(Run(), TrainingEventKind.ControlApplied, s_timestamp)
        {
            Command = command,
            ControlStatus = ControlStatus.Applied,
            Message = "done",
            State = RunState.Training,
        };

        foreach (var json in new[] { Sse(applied), WebSocket(applied) })
        {
            json.GetProperty("event").GetString().Should().Be("control_applied");
            var data = json.GetProperty("data");
            Names(data).Should().Equal(value is null
                ? ["model_state", "command_id", "action", "status", "message"]
                : ["model_state", "command_id", "action", "value", "status", "message"]);
            data.GetProperty("action").GetString().Should().Be(name);
            data.GetProperty("status").GetString().Should().Be("applied");
            data.GetProperty("message").GetString().Should().Be("done", "an applied save_checkpoint or evaluate explains its result");
            if (value is { } v)
            {
                data.GetProperty("value").GetDouble().Should().Be(v);
            }
        }
    }

    [Fact]
    public void SerializeSse_RejectedNonIntegerPatience_WritesTheValueAsSubmitted()
    {
        var rejected = new TrainingEvent(Run(), TrainingEventKind.ControlApplied, s_timestamp)
        {
            Command = new ControlCommand(ControlAction.SetEarlyStopping, "run-a", 2.5),
            ControlStatus = ControlStatus.Rejected,
            Message = "not a whole number",
        };

        var data = Sse(rejected).GetProperty("data");

        data.GetProperty("action").GetString().Should().Be("set_early_stopping");
        data.GetProperty("value").GetDouble().Should().Be(2.5);
        data.GetProperty("status").GetString().Should().Be("rejected");
    }

    [Fact]
    public void EventType_ByEventClass_IsMetricsUpdateOrTrainingEvent()
    {
        WireFormat.EventType(Loss(Run(), 1)).Should().Be("metrics_update");
        WireFormat.EventType(new TrainingEvent(Run(), TrainingEventKind.RunStarted)).Should().Be("training_event");
    }

    [Fact]
    public void EventType_GapEvent_IsGap()
    {
        WireFormat.EventType(new GapEvent(Run(), 1, 5, 5, 0)).Should().Be("gap").And.Be(WireFormat.GapType);
    }

    [Fact]
    public void SerializeSse_GapEvent_WritesExactJsonWithoutSequenceOrOffset()
    {
        var gap = new GapEvent(Run("run-a"), 3, 5, 7, 2, s_timestamp);

        var text = Encoding.UTF8.GetString(WireFormat.SerializeSse(gap));

        text.Should().Be("""{"timestamp":1767225600.25,"event_type":"gap","run_id":"run-a","data":{"missed":3,"first_offset":5,"last_offset":7,"first_sequence":2}}""");
    }

    [Fact]
    public void SerializeWebSocket_GapEvent_WritesExactJsonWithMessageTypeFirst()
    {
        var gap = new GapEvent(Run("run-a"), 3, 5, 7, 2, s_timestamp);

        var text = Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(gap));

        text.Should().Be("""{"message_type":"gap","timestamp":1767225600.25,"run_id":"run-a","data":{"missed":3,"first_offset":5,"last_offset":7,"first_sequence":2}}""");
    }

    [Fact]
    public void SerializeSse_GapEventWithUnknownSequence_OmitsFirstSequence()
    {
        // A gap across runs (or read from a store that lacks the events) does not know the first missed sequence.
        var gap = new GapEvent(Run("run-b"), 1_000_000, 1, 1_000_000, 0, s_timestamp);

        Encoding.UTF8.GetString(WireFormat.SerializeSse(gap)).Should().Be(
            """{"timestamp":1767225600.25,"event_type":"gap","run_id":"run-b","data":{"missed":1000000,"first_offset":1,"last_offset":1000000}}""");
        Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(gap)).Should().Be(
            """{"message_type":"gap","timestamp":1767225600.25,"run_id":"run-b","data":{"missed":1000000,"first_offset":1,"last_offset":1000000}}""");
    }

    [Fact]
    public void SerializeSse_GapEventWhoseMissedDiffersFromRange_WritesBothAsGiven()
    {
        // A filtered subscriber misses fewer events than the offsets the gap spans: "missed" counts only its own.
        var gap = new GapEvent(Run("run-a"), 2, 10, 40, 4, s_timestamp);

        var data = Sse(gap).GetProperty("data");

        data.GetProperty("missed").GetInt64().Should().Be(2);
        data.GetProperty("first_offset").GetInt64().Should().Be(10);
        data.GetProperty("last_offset").GetInt64().Should().Be(40);
        data.GetProperty("first_sequence").GetInt64().Should().Be(4);
    }

    // A finding's SSE data as docs/protocol.md shows it (non-ASCII characters are escaped, like everywhere on the wire).
    public static readonly string FindingData = """
        {"finding_id":"run-a/learning_rate_too_high/1","label":"learning_rate_too_high","severity":"warning","state":"open",
        "message":"train_loss swings by 46% of its mean over the last 20 samples at learning rate 0.001.","confidence":0.8,"revision":1,
        "first_step":100,"step":100,"first_seen_at":1767225570.25,
        "evidence":[{"metric":"train_loss","value":2.31,"step":100,"description":"std/mean of the last 20 samples","threshold":0.25},
        {"metric":"update_ratio","value":"NaN","step":100,"description":"median update ratio"}],
        "fixes":[{"id":"lower_learning_rate","kind":"live_action","title":"Set the learning rate to 0.0001 (0.001 \u00D7 0.1)",
        "rationale":"Smaller steps stop the oscillation.","commands":[{"action":"set_learning_rate","value":0.0001}]},
        {"id":"add_warmup","kind":"code_change","title":"Add a learning-rate warm-up of 500 steps","rationale":"Warm-up avoids large early updates.","commands":[]}]}
        """.ReplaceLineEndings(string.Empty);

    [Fact]
    public void SerializeSse_FindingEvent_WritesEnvelopeAndEveryFieldInDocumentedOrder()
    {
        var finding = Finding(Run("run-a"));

        var text = Encoding.UTF8.GetString(WireFormat.SerializeSse(finding));

        text.Should().Be("""{"timestamp":1767225600.25,"event_type":"finding","run_id":"run-a","sequence":0,"offset":0,"data":""" + FindingData + "}");
    }

    [Fact]
    public void SerializeWebSocket_FindingEvent_WritesMessageTypeFirstAndTheSameData()
    {
        var finding = Finding(Run("run-a"));

        var text = Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(finding));

        text.Should().Be("""{"message_type":"finding","timestamp":1767225600.25,"run_id":"run-a","sequence":0,"offset":0,"data":""" + FindingData + "}");
    }

    [Fact]
    public void SerializeSse_ResolvedCriticalRevision_WritesItsStateSeverityRevisionAndTimes()
    {
        var resolved = Finding(Run("run-a"), "f-1", FindingState.Resolved, FindingSeverity.Critical, 3);

        var json = Sse(resolved);

        json.GetProperty("timestamp").GetDouble().Should().Be(1_767_225_620.25);
        var data = json.GetProperty("data");
        data.GetProperty("finding_id").GetString().Should().Be("f-1");
        data.GetProperty("state").GetString().Should().Be("resolved");
        data.GetProperty("severity").GetString().Should().Be("critical");
        data.GetProperty("revision").GetInt32().Should().Be(3);
        data.GetProperty("first_step").GetInt64().Should().Be(100);
        data.GetProperty("step").GetInt64().Should().Be(180);
        data.GetProperty("first_seen_at").GetDouble().Should().Be(1_767_225_570.25);
    }

    [Theory]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "Infinity")]
    [InlineData(double.NegativeInfinity, "-Infinity")]
    public void SerializeSse_NonFiniteEvidence_WrittenAsTheDocumentedStrings(double value, string expected)
    {
        var finding = new FindingEvent(Run(), "f", FindingLabels.Divergence, FindingSeverity.Critical, FindingState.Open, "diverged", s_timestamp)
        {
            Evidence = [new FindingEvidence(MetricNames.TrainLoss, value, 7, "latest sample", value)],
        };

        var evidence = Sse(finding).GetProperty("data").GetProperty("evidence")[0];

        evidence.GetProperty("value").GetString().Should().Be(expected);
        evidence.GetProperty("threshold").GetString().Should().Be(expected);
    }

    [Fact]
    public void SerializeSse_FindingWithoutEvidenceOrFixes_WritesEmptyArrays()
    {
        var finding = new FindingEvent(Run(), "f", FindingLabels.SignalsMissing, FindingSeverity.Info, FindingState.Open, "no gradient_norm", s_timestamp);

        var data = Sse(finding).GetProperty("data");

        data.GetProperty("evidence").GetArrayLength().Should().Be(0);
        data.GetProperty("fixes").GetArrayLength().Should().Be(0);
        data.GetProperty("confidence").GetDouble().Should().Be(1);
        data.GetProperty("first_seen_at").GetDouble().Should().Be(1_767_225_600.25, "a finding first seen now was seen at its timestamp");
    }

    [Fact]
    public void SerializeSse_FixCommandsOfEveryAction_UseTheControlEndpointsActionNames()
    {
        var actions = Enum.GetValues<ControlAction>();
        var finding = new FindingEvent(Run(), "f", FindingLabels.Plateau, FindingSeverity.Info, FindingState.Open, "flat", s_timestamp)
        {
            Fixes = [new SuggestedFix("all", FixKind.LiveAction, "Do everything", "Coverage.", [.. actions.Select(a => new FixCommand(a, WireFormat.ActionTakesValue(a) ? 0.5 : null))])],
        };

        var commands = Sse(finding).GetProperty("data").GetProperty("fixes")[0].GetProperty("commands").EnumerateArray().ToList();

        commands.Select(c => c.GetProperty("action").GetString()).Should().Equal(actions.Select(WireNames.Action));
        commands.Select(c => WireNames.TryParseAction(c.GetProperty("action").GetString(), out var parsed) ? parsed : (ControlAction?)null).Should().Equal(actions.Cast<ControlAction?>());
        commands.Select(c => c.TryGetProperty("value", out var v) ? v.GetDouble() : (double?)null).Should().Equal(actions.Select(a => WireFormat.ActionTakesValue(a) ? 0.5 : (double?)null));
    }

    [Fact]
    public void EventType_FindingEvent_IsFinding()
    {
        WireFormat.EventType(Finding(Run())).Should().Be("finding").And.Be(WireFormat.FindingType);
    }

    [Theory]
    [InlineData(FindingSeverity.Info, "info")]
    [InlineData(FindingSeverity.Warning, "warning")]
    [InlineData(FindingSeverity.Critical, "critical")]
    public void SeverityName_EverySeverity_IsLowerCase(FindingSeverity severity, string expected)
    {
        FindingWireNames.Severity(severity).Should().Be(expected);
        FindingWireNames.Severities.Should().Contain((expected, severity));
    }

    [Theory]
    [InlineData(FindingState.Open, "open")]
    [InlineData(FindingState.Resolved, "resolved")]
    public void StateName_EveryFindingState_IsLowerCase(FindingState state, string expected)
    {
        FindingWireNames.State(state).Should().Be(expected);
        FindingWireNames.States.Should().Contain((expected, state));
    }

    [Theory]
    [InlineData(FixKind.LiveAction, "live_action")]
    [InlineData(FixKind.CodeChange, "code_change")]
    public void KindName_EveryFixKind_IsSnakeCase(FixKind kind, string expected) => FindingWireNames.Kind(kind).Should().Be(expected);

    [Fact]
    public void FindingWireNames_Lists_CoverEveryValueLeastSevereFirst()
    {
        FindingWireNames.Severities.Select(s => s.Value).Should().Equal(Enum.GetValues<FindingSeverity>());
        FindingWireNames.States.Select(s => s.Value).Should().Equal(Enum.GetValues<FindingState>());
        Enum.GetValues<FindingSeverity>().Should().BeInAscendingOrder();
    }

    private static JsonElement Sse(TrainInsightEvent item) => Parse(WireFormat.SerializeSse(item));

    private static JsonElement WebSocket(TrainInsightEvent item) => Parse(WireFormat.SerializeWebSocket(item));

    private static JsonElement Parse(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static List<string> Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
