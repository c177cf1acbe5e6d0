using TrainInsight.Torch.Training;

namespace TrainInsight.Torch.Tests.Hooks;

/// <summary>Early stopping: the policy from the options, the set_early_stopping command, and a real plateau.</summary>
public sealed class TrainingSessionEarlyStoppingTests
{
    [Theory]
    [InlineData(new[] { 1.0, 0.9, 0.95, 0.96 }, 2, 4)]
    [InlineData(new[] { 1.0, 0.9, 0.95, 0.85, 0.86, 0.87 }, 2, 6)]
    [InlineData(new[] { 1.0, 1.0, 1.0 }, 2, 3)]
    [InlineData(new[] { 1.0, double.NaN, double.NaN }, 2, 3)]
    [InlineData(new[] { 1.0, 0.9, 0.8, 0.7, 0.6 }, 1, 0)]
    [InlineData(new[] { 1.0, 1.1, 0.99, 1.2 }, 2, 0)]
    public async Task RecordEpoch_ValidationLoss_StopsAfterPatienceEpochsWithoutImprovement(double[] losses, int patience, int stopEpoch)
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { EarlyStopping = new EarlyStoppingOptions { Patience = patience } });
        using (var session = harness.Attach())
        {
            for (var epoch = 1; epoch <= losses.Length; epoch++)
            {
                session.BeginEpoch(epoch);
                session.RecordEpoch(losses[epoch - 1], 0.5);
                session.StopRequested.Should().Be(stopEpoch != 0 && epoch >= stopEpoch, "epoch {0}", epoch);
                if (session.StopRequested)
                {
                    break;
                }
            }

            session.Complete();
        }

        var finished = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        if (stopEpoch == 0)
        {
            finished.State.Should().Be(RunState.Completed);
            finished.Message.Should().BeNull();
        }
        else
        {
            finished.State.Should().Be(RunState.Stopped);
            finished.Message.Should().StartWith("Early stopping: val_loss has not improved").And.Contain($"for {patience} epoch-end validations");
        }
    }

    [Fact]
    public void RecordEpoch_AccuracyWithMinDelta_NeedsARiseBiggerThanTheDelta()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions
        {
            EarlyStopping = new EarlyStoppingOptions { Metric = EarlyStoppingMetric.ValidationAccuracy, Patience = 2, MinDelta = 0.01 },
        });
        using var session = harness.Attach();
        double[] accuracies = [0.50, 0.60, 0.605, 0.609];
        for (var epoch = 1; epoch <= accuracies.Length; epoch++)
        {
            session.BeginEpoch(epoch);
            session.RecordEpoch(validationLoss: 1.0 / epoch, validationAccuracy: accuracies[epoch - 1]);
        }

        session.StopRequested.Should().BeTrue("0.605 and 0.609 are within 0.01 of the best 0.60, although the loss kept falling");
    }

    [Fact]
    public async Task Evaluate_WorseResults_DoNotCountTowardsPatience()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { EarlyStopping = new EarlyStoppingOptions { Patience = 1 } });
        using var session = harness.Attach();
        session.Evaluator = () => new ValidationResult(9.0, 0.1);
        session.BeginEpoch(1);
        session.RecordEpoch(0.5);
        for (var i = 0; i < 3; i++)
        {
            var id = harness.Control.Submit(ControlAction.Evaluate, session.Run.Id).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            (await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Command?.Id == id, "the evaluation was acknowledged"))
                .ControlStatus.Should().Be(ControlStatus.Applied);
        }

        session.StopRequested.Should().BeFalse("evaluations on request are not epoch-end validations");
        session.BeginEpoch(2);
        session.RecordEpoch(0.6);
        session.StopRequested.Should().BeTrue();
    }

    [Fact]
    public void RecordEpoch_NoPolicy_NeverStops()
    {
        using var harness = new TrainingHarness();
        using var session = harness.Attach();
        for (var epoch = 1; epoch <= 20; epoch++)
        {
            session.BeginEpoch(epoch);
            session.RecordEpoch(1.0, 0.1);
        }

        session.StopRequested.Should().BeFalse();
    }

    [Fact]
    public async Task SetEarlyStopping_OnRunWithoutPolicy_TurnsItOnWithTheHistorySoFar()
    {
        using var harness = new TrainingHarness();
        string commandId;
        using (var session = harness.Attach())
        {
            session.BeginEpoch(1);
            session.RecordEpoch(0.5);
            session.BeginEpoch(2);
            session.RecordEpoch(0.6);
            commandId = harness.Control.Submit(ControlAction.SetEarlyStopping, session.Run.Id, 2).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            session.BeginEpoch(3);
            session.RecordEpoch(0.7);
            session.StopRequested.Should().BeTrue("epochs 2 and 3 did not beat 0.5");
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Message.Should().Be("Early stopping on val_loss with patience 2: 1 epoch-end validation(s) without improvement so far (best 0.5 at epoch 1).");
        events.OfType<TrainingEvent>().Last().State.Should().Be(RunState.Stopped);
    }

    [Fact]
    public async Task SetEarlyStopping_Zero_TurnsAConfiguredPolicyOff()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { EarlyStopping = new EarlyStoppingOptions { Patience = 1 } });
        string commandId;
        using (var session = harness.Attach())
        {
            commandId = harness.Control.Submit(ControlAction.SetEarlyStopping, session.Run.Id, 0).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            for (var epoch = 1; epoch <= 5; epoch++)
            {
                session.BeginEpoch(epoch);
                session.RecordEpoch(1.0);
            }

            session.StopRequested.Should().BeFalse();
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Message.Should().Be("Early stopping is off.");
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(1.5)]
    [InlineData(10_001.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public async Task SetEarlyStopping_Invalid_IsRejectedAndThePolicyIsUnchanged(double value)
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { EarlyStopping = new EarlyStoppingOptions { Patience = 1 } });
        string commandId;
        using (var session = harness.Attach())
        {
            commandId = harness.Control.Submit(ControlAction.SetEarlyStopping, session.Run.Id, value).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            session.BeginEpoch(1);
            session.RecordEpoch(1.0);
            session.BeginEpoch(2);
            session.RecordEpoch(1.0);
            session.StopRequested.Should().BeTrue("the configured patience of 1 still applies");
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("whole number from 0 (off) to 10,000").And.Contain("Nothing was changed");
    }

    [Fact]
    public async Task Train_ValidationLossPlateaus_StopsEarlyAndWritesTheFinalCheckpoint()
    {
        using var folder = new TempDirectory();
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        using var train = SyntheticImages.Create(64, seed: 4);
        using var validation = SyntheticImages.Create(64, seed: 5);
        TorchSharp.torch.random.manual_seed(4);
        using var model = new TrainInsight.Torch.Vision.SmallCnn();
        var monitor = new TrainingMonitor(bus, TrainingControl.Create(), new TorchMonitorOptions
        {
            CheckpointDirectory = folder.Path,
            EarlyStopping = new EarlyStoppingOptions { Patience = 2, MinDelta = 1e-3 },
        });

        // A learning rate this small moves the validation loss by far less than MinDelta per epoch: a plateau.
        var summary = new VisionTrainer(monitor, new VisionTrainerOptions { Epochs = 20, BatchSize = 32, LearningRate = 1e-9 })
            .Train(model, train, validation);

        summary.State.Should().Be(RunState.Stopped);
        summary.EpochsCompleted.Should().Be(3, "epoch 1 sets the best value; epochs 2 and 3 do not beat it by 1e-3");
        summary.Steps.Should().Be(6);
        var finished = (await recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last();
        finished.Message.Should().StartWith("Early stopping: val_loss");
        finished.CheckpointPath.Should().Be(Path.Combine(folder.Path, summary.Run.Id, "final.pt"));
        File.Exists(finished.CheckpointPath).Should().BeTrue();
    }

    [Fact]
    public async Task Train_EvaluateCommandMidEpoch_ValidatesBetweenSteps()
    {
        using var bus = TelemetryBus.Create();
        using var recorder = new EventRecorder(bus);
        var control = TrainingControl.Create();
        using var train = SyntheticImages.Create(512, seed: 4);
        using var validation = SyntheticImages.Create(32, seed: 5);
        TorchSharp.torch.random.manual_seed(4);
        using var model = new TrainInsight.Torch.Vision.SmallCnn();
        var monitor = new TrainingMonitor(bus, control, new TorchMonitorOptions { MetricsInterval = 1 });
        var trainer = new VisionTrainer(monitor, new VisionTrainerOptions { Epochs = 1, BatchSize = 4 });

        // 128 steps per epoch: the command, sent as soon as step 1 is seen, lands long before the epoch ends.
        var submitter = Task.Run(async () =>
        {
            var first = await recorder.WaitForAsync<MetricEvent>(m => m.Step == 1, "the run trains");
            return control.Submit(ControlAction.Evaluate, first.Run.Id).Id;
        });
        var summary = trainer.Train(model, train, validation);
        var commandId = await submitter;

        var events = await recorder.WaitForRunFinishedAsync();
        summary.State.Should().Be(RunState.Completed);
        summary.Steps.Should().Be(128);
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Step.Should().BeInRange(1, 127);
        var onRequest = events.OfType<MetricEvent>().First(m => m.Values.ContainsKey(MetricNames.ValLoss));
        onRequest.Step.Should().Be(ack.Step!.Value);
        ack.Message.Should().Contain(onRequest.Values[MetricNames.ValLoss].ToString("G6", System.Globalization.CultureInfo.InvariantCulture));
    }
}
