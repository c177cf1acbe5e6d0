using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

/// <summary>save_checkpoint, the final checkpoint, and evaluate, applied at step boundaries of real training.</summary>
public sealed class TrainingSessionCheckpointTests
{
    [Fact]
    public async Task SaveCheckpoint_WithDirectory_WritesACheckpointThatReproducesOutputsAndResumesTraining()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, CheckpointDirectory = folder.Path }, batchSize: 16);
        using var probe = SyntheticImages.Create(32, seed: 99);
        using var session = harness.Attach();
        harness.Steps(session, 3);
        var commandId = harness.Control.Submit(ControlAction.SaveCheckpoint, session.Run.Id).Id;
        session.WaitForStepBoundary().Should().BeTrue("the command is applied at this boundary");
        var expectedPath = Path.Combine(folder.Path, session.Run.Id, "step-00000003.pt");
        File.Exists(expectedPath).Should().BeTrue();
        File.Exists(expectedPath + TrainingCheckpoint.OptimizerSuffix).Should().BeTrue();
        Directory.GetFiles(Path.Combine(folder.Path, session.Run.Id)).Should().HaveCount(2, "no temporary file is left behind");

        // The checkpoint, loaded into a differently initialised model, gives exactly the same outputs.
        var (images, probeLabels) = probe.Batches(32).First();
        using var disposeImages = images;
        using var disposeLabels = probeLabels;
        using var expected = Outputs(harness.Model, images);
        random.manual_seed(12345);
        using var restored = new SmallCnn();
        using (var before = Outputs(restored, images))
        {
            before.allclose(expected, rtol: 0, atol: 0).Should().BeFalse("a fresh model differs before loading");
        }

        using var restoredOptimizer = optim.Adam(restored.parameters(), TrainingHarness.LearningRate);
        TrainingCheckpoint.Load(restored, expectedPath, restoredOptimizer);
        using (var after = Outputs(restored, images))
        {
            after.allclose(expected, rtol: 0, atol: 0).Should().BeTrue("the checkpoint holds every weight and buffer");
        }

        // One more identical Adam step on both: equal again, so the optimizer's moments came back too.
        using (NewDisposeScope())
        {
            var labels = probeLabels;
            foreach (var (model, optimizer) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (harness.Model, harness.Optimizer), (restored, restoredOptimizer) })
            {
                optimizer.zero_grad();
                nn.functional.cross_entropy(model.call(images), labels).backward();
                optimizer.step();
            }

            using var continued = Outputs(harness.Model, images);
            using var resumed = Outputs(restored, images);
            resumed.allclose(continued, rtol: 1e-6, atol: 1e-7).Should().BeTrue("training resumed from the checkpoint takes the same step");
        }

        session.Complete();
        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Message.Should().Contain(expectedPath);
        events.OfType<TrainingEvent>().Where(e => e.Kind == TrainingEventKind.CheckpointSaved).Select(e => e.CheckpointPath)
            .Should().Equal(expectedPath, Path.Combine(folder.Path, session.Run.Id, "final.pt"));
    }

    [Fact]
    public async Task SaveCheckpoint_WithoutDirectory_IsRejectedAndTrainingContinues()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            commandId = harness.Control.Submit(ControlAction.SaveCheckpoint, session.Run.Id).Id;
            harness.Steps(session, 2);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("no checkpoint directory");
        events.OfType<MetricEvent>().Should().HaveCount(3);
        events.OfType<TrainingEvent>().Should().NotContain(e => e.Kind == TrainingEventKind.CheckpointSaved);
        events.OfType<TrainingEvent>().Last().CheckpointPath.Should().BeNull();
    }

    [Fact]
    public async Task SaveCheckpoint_UnwritableDirectory_IsRejectedWithTheReasonAndTrainingContinues()
    {
        using var folder = new TempDirectory();
        var blocker = folder.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file where the checkpoint folder should be");
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, CheckpointDirectory = blocker }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            commandId = harness.Control.Submit(ControlAction.SaveCheckpoint, session.Run.Id).Id;
            harness.Steps(session, 2);
            session.State.Should().Be(RunState.Training);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("could not be written").And.Contain("Training continues");
        events.OfType<MetricEvent>().Should().HaveCount(3);
        var finished = events.OfType<TrainingEvent>().Last();
        finished.State.Should().Be(RunState.Completed);
        finished.Message.Should().Contain("final checkpoint could not be written");
    }

    [Fact]
    public async Task Stop_WithDirectory_WritesTheFinalCheckpointOfTheStoppedModel()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, CheckpointDirectory = folder.Path }, batchSize: 8);
        using var probe = SyntheticImages.Create(8, seed: 5);
        var (probeImages, probeLabels) = probe.Batches(8).First();
        using var disposeImages = probeImages;
        using var disposeLabels = probeLabels;
        string commandId;
        string runId;
        Tensor expected;
        using (var session = harness.Attach())
        {
            runId = session.Run.Id;
            harness.Steps(session, 2);
            commandId = harness.Control.Submit(ControlAction.Stop, session.Run.Id).Id;
            harness.TryStep(session).Should().BeFalse("the stop is applied at the boundary");
            expected = Outputs(harness.Model, probeImages);
            session.Complete();
        }

        using (expected)
        {
            var events = await harness.Recorder.WaitForRunFinishedAsync();
            var final = Path.Combine(folder.Path, runId, "final.pt");
            var finished = events.OfType<TrainingEvent>().Last();
            finished.Kind.Should().Be(TrainingEventKind.RunFinished);
            finished.State.Should().Be(RunState.Stopped);
            finished.CheckpointPath.Should().Be(final);
            events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId).Message.Should().Contain("final checkpoint");

            random.manual_seed(777);
            using var restored = new SmallCnn();
            TrainingCheckpoint.Load(restored, final);
            using var actual = Outputs(restored, probeImages);
            actual.allclose(expected, rtol: 0, atol: 0).Should().BeTrue();
        }
    }

    [Fact]
    public async Task Dispose_AfterStopWithoutComplete_StillWritesTheFinalCheckpoint()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { CheckpointDirectory = folder.Path }, batchSize: 8);
        string runId;
        using (var session = harness.Attach())
        {
            runId = session.Run.Id;
            harness.Steps(session, 1);
            harness.Control.Submit(ControlAction.Stop, session.Run.Id);
            harness.TryStep(session).Should().BeFalse();
        }

        (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last().CheckpointPath
            .Should().Be(Path.Combine(folder.Path, runId, "final.pt"));
    }

    [Fact]
    public async Task Fail_WithDirectory_WritesNoFinalCheckpoint()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { CheckpointDirectory = folder.Path }, batchSize: 8);
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            session.Fail(new InvalidOperationException("boom"));
        }

        (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Last().CheckpointPath.Should().BeNull();
        Directory.GetFileSystemEntries(folder.Path).Should().BeEmpty("a failed model may be broken: nothing is written");
    }

    [Fact]
    public async Task Evaluate_WithEvaluator_PublishesValidationMetricsAtTheBoundaryAndAcknowledgesThem()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 16);
        using var validation = SyntheticImages.Create(64, seed: 21);
        string commandId;
        double expectedLoss, expectedAccuracy;
        using (var session = harness.Attach())
        {
            var calls = 0;
            session.Evaluator = () =>
            {
                calls++;
                var (loss, accuracy) = TrainInsight.Torch.Training.VisionTrainer.Evaluate(harness.Model, validation, 32);
                return new ValidationResult(loss, accuracy);
            };
            harness.Steps(session, 2);
            (expectedLoss, expectedAccuracy) = TrainInsight.Torch.Training.VisionTrainer.Evaluate(harness.Model, validation, 64);
            commandId = harness.Control.Submit(ControlAction.Evaluate, session.Run.Id).Id;
            harness.Steps(session, 1);
            calls.Should().Be(1);
            harness.Model.training.Should().BeTrue("evaluation restores training mode");
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Step.Should().Be(2);
        ack.Message.Should().Contain("val_loss").And.Contain("val_accuracy");
        var validationMetrics = events.OfType<MetricEvent>().Single(m => m.Values.ContainsKey(MetricNames.ValLoss));
        validationMetrics.Step.Should().Be(2);
        validationMetrics.Values[MetricNames.ValLoss].Should().BeApproximately(expectedLoss, 1e-5);
        validationMetrics.Values[MetricNames.ValAccuracy].Should().Be(expectedAccuracy);
        validationMetrics.Values[MetricNames.BestAccuracy].Should().Be(expectedAccuracy);
        events.OfType<MetricEvent>().Count(m => m.Values.ContainsKey(MetricNames.TrainLoss)).Should().Be(3);
    }

    [Fact]
    public async Task Evaluate_WithoutEvaluator_IsRejected()
    {
        using var harness = new TrainingHarness(batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            commandId = harness.Control.Submit(ControlAction.Evaluate, session.Run.Id).Id;
            harness.Steps(session, 1);
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("cannot evaluate");
    }

    [Fact]
    public async Task Evaluate_EvaluatorThrows_IsRejectedWithTheErrorAndTrainingContinues()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            session.Evaluator = () =>
            {
                harness.Model.eval();
                throw new IOException("validation shard missing");
            };
            commandId = harness.Control.Submit(ControlAction.Evaluate, session.Run.Id).Id;
            harness.Steps(session, 2);
            session.State.Should().Be(RunState.Training);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("IOException: validation shard missing");
        harness.Model.training.Should().BeTrue("the session puts the model back in training mode whatever the evaluator did");
        events.OfType<MetricEvent>().Should().HaveCount(2);
    }

    private static Tensor Outputs(nn.Module<Tensor, Tensor> model, Tensor images)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            return model.call(images);
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
