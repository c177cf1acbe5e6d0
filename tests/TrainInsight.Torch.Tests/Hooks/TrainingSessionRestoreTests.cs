using TrainInsight.Torch.Vision;
using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

/// <summary>restore_checkpoint, applied at step boundaries of real training.</summary>
public sealed class TrainingSessionRestoreTests
{
    [Fact]
    public async Task RestoreCheckpoint_AfterAHarmfulLearningRate_BringsBackTheModelAndOptimizerAndStepsGoOn()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1, CheckpointDirectory = folder.Path }, batchSize: 16);
        using var probe = SyntheticImages.Create(32, seed: 99);
        var (images, labels) = probe.Batches(32).First();
        using var disposeImages = images;
        using var disposeLabels = labels;
        string restoreId;
        string path;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 3);
            harness.Control.Submit(ControlAction.SaveCheckpoint, session.Run.Id);
            session.WaitForStepBoundary().Should().BeTrue();
            path = Path.Combine(folder.Path, session.Run.Id, "step-00000003.pt");
            File.Exists(path).Should().BeTrue();
            var lossAtCheckpoint = ProbeLoss(harness.Model, images, labels);

            harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id, TrainingHarness.LearningRate * 100);
            harness.Steps(session, 5);
            harness.Optimizer.ParamGroups.Should().AllSatisfy(g => g.LearningRate.Should().Be(TrainingHarness.LearningRate * 100));
            ProbeLoss(harness.Model, images, labels).Should().NotBeApproximately(lossAtCheckpoint, 1e-3, "five steps at 100× the rate moved the model");
            session.LearningRateOverridden.Should().BeTrue();

            restoreId = harness.Control.Submit(new ControlCommand(ControlAction.RestoreCheckpoint, session.Run.Id) { Path = path }).Id;
            session.WaitForStepBoundary().Should().BeTrue("the restore is applied at this boundary and training goes on");

            ProbeLoss(harness.Model, images, labels).Should().BeApproximately(lossAtCheckpoint, 1e-6, "the same batch gives the checkpoint's loss");
            harness.Optimizer.ParamGroups.Should().AllSatisfy(g => g.LearningRate.Should().Be(TrainingHarness.LearningRate, "the optimizer's rate is the checkpoint's"));
            session.Step.Should().Be(8, "the step counter does not go back");
            session.LearningRateOverridden.Should().BeTrue("the restored rate must not be overwritten by a schedule");

            // The moments came back too: one step from the live optimizer equals one step from a fresh copy of the checkpoint.
            random.manual_seed(4242);
            using var copy = new SmallCnn();
            using var copyOptimizer = optim.Adam(copy.parameters(), 0.5);
            TrainingCheckpoint.Load(copy, path, copyOptimizer);
            using (NewDisposeScope())
            {
                foreach (var (model, optimizer) in new (nn.Module<Tensor, Tensor>, optim.Optimizer)[] { (harness.Model, harness.Optimizer), (copy, copyOptimizer) })
                {
                    optimizer.zero_grad();
                    nn.functional.cross_entropy(model.call(images), labels).backward();
                    optimizer.step();
                }
            }

            ProbeLoss(harness.Model, images, labels).Should().BeApproximately(ProbeLoss(copy, images, labels), 1e-6);
            harness.Steps(session, 2);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == restoreId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Step.Should().Be(8);
        ack.State.Should().Be(RunState.Training);
        ack.Message.Should().Contain(path).And.Contain("model and optimizer state").And.Contain("learning rate 0.001").And.Contain("Step numbering continues");
        events.OfType<MetricEvent>().Where(m => m.Values.ContainsKey(MetricNames.TrainLoss)).Select(m => m.Step)
            .Should().Equal(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        events.OfType<MetricEvent>().Where(m => m.Step >= 9).Should().AllSatisfy(m => m.Values[MetricNames.LearningRate].Should().Be(TrainingHarness.LearningRate));
    }

    [Fact]
    public async Task RestoreCheckpoint_WithoutOptimizerState_RestoresTheModelOnlyAndKeepsTheRate()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using var probe = SyntheticImages.Create(16, seed: 3);
        var (images, labels) = probe.Batches(16).First();
        using var disposeImages = images;
        using var disposeLabels = labels;
        random.manual_seed(31);
        using var other = new SmallCnn();
        var path = folder.File("model-only.pt");
        TrainingCheckpoint.Save(other, path);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id, 0.02);
            harness.Steps(session, 2);
            commandId = harness.Control.Submit(new ControlCommand(ControlAction.RestoreCheckpoint, session.Run.Id) { Path = path }).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            ProbeLoss(harness.Model, images, labels).Should().BeApproximately(ProbeLoss(other, images, labels), 1e-6);
            harness.Optimizer.ParamGroups.Should().AllSatisfy(g => g.LearningRate.Should().Be(0.02));
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Message.Should().Contain(path).And.Contain("model only").And.Contain(path + TrainingCheckpoint.OptimizerSuffix).And.Contain("learning rate 0.02");
    }

    [Fact]
    public async Task RestoreCheckpoint_WithoutPath_IsRejectedAndTrainingContinues()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            commandId = harness.Control.Submit(new ControlCommand(ControlAction.RestoreCheckpoint, session.Run.Id)).Id;
            harness.Steps(session, 2);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("needs the checkpoint's path").And.Contain("Nothing was changed");
        events.OfType<MetricEvent>().Should().HaveCount(3, "training went on");
    }

    [Fact]
    public async Task RestoreCheckpoint_MissingFile_IsRejectedNamingThePath()
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        var path = folder.File("absent.pt");
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            using var before = Weights(harness.Model);
            commandId = harness.Control.Submit(new ControlCommand(ControlAction.RestoreCheckpoint, session.Run.Id) { Path = path }).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            before.ShouldEqual(harness.Model);
            harness.Steps(session, 1);
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Be($"Checkpoint '{path}' does not exist. Nothing was changed.");
    }

    [Theory]
    [InlineData("other-shape", "is not a checkpoint of this SmallCnn")]
    [InlineData("truncated", "is not a checkpoint of this SmallCnn")]
    [InlineData("other-optimizer", "is not the state of this Adam optimizer")]
    public async Task RestoreCheckpoint_BadCheckpoint_IsRejectedAndLeavesModelAndOptimizerAsTheyWere(string kind, string cause)
    {
        using var folder = new TempDirectory();
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        var path = folder.File(kind + ".pt");
        random.manual_seed(55);
        switch (kind)
        {
            case "other-shape":
                // The same layers up to the last one, which has 5 classes: a load gets far before it fails.
                using (var fiveClasses = new SmallCnn(classes: 5))
                {
                    TrainingCheckpoint.Save(fiveClasses, path);
                }

                break;
            case "truncated":
                using (var other = new SmallCnn())
                {
                    TrainingCheckpoint.Save(other, path);
                }

                var bytes = await File.ReadAllBytesAsync(path);
                await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 9 / 10)]);
                break;
            default:
                // A model that loads, next to an SGD state that the session's Adam cannot take: the model must come back.
                using (var other = new SmallCnn())
                using (var sgd = optim.SGD(other.parameters(), 0.5, momentum: 0.9))
                {
                    TrainingCheckpoint.Save(other, path, sgd);
                }

                break;
        }

        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 2);
            using var before = Weights(harness.Model);
            var adamBefore = OptimizerState(harness.Optimizer);
            commandId = harness.Control.Submit(new ControlCommand(ControlAction.RestoreCheckpoint, session.Run.Id) { Path = path }).Id;
            session.WaitForStepBoundary().Should().BeTrue("a rejected restore does not stop the run");
            before.ShouldEqual(harness.Model);
            OptimizerState(harness.Optimizer).Should().Equal(adamBefore, "the optimizer's state is untouched");
            harness.Steps(session, 1);
            session.State.Should().Be(RunState.Training);
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().StartWith($"Checkpoint '{path}' could not be restored: ").And.Contain(cause).And.Contain("as before; training continues");
        events.OfType<TrainingEvent>().Last().State.Should().Be(RunState.Completed);
    }

    private static double ProbeLoss(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var wasTraining = model.training;
        model.eval();
        try
        {
            return nn.functional.cross_entropy(model.call(images), labels).item<float>();
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static byte[] OptimizerState(TorchSharp.Modules.OptimizerHelper optimizer)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }

        return stream.ToArray();
    }

    private static WeightCopy Weights(nn.Module model) => new(model);

    /// <summary>A copy of every parameter and buffer, to check that a rejected restore changed none of them.</summary>
    private sealed class WeightCopy(nn.Module model) : IDisposable
    {
        private readonly List<(string Name, Tensor Value)> _values =
            [.. model.state_dict().Select(kv => (kv.Key, kv.Value.detach().clone()))];

        public void ShouldEqual(nn.Module actual)
        {
            var now = actual.state_dict();
            now.Should().HaveCount(_values.Count);
            foreach (var (name, value) in _values)
            {
                now[name].allclose(value, rtol: 0, atol: 0).Should().BeTrue($"'{name}' must be unchanged");
            }
        }

        public void Dispose()
        {
            foreach (var (_, value) in _values)
            {
                value.Dispose();
            }
        }
    }
}
