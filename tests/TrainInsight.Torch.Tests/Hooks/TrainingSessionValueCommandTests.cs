using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

/// <summary>set_learning_rate and set_weight_decay, applied at step boundaries of real training.</summary>
public sealed class TrainingSessionValueCommandTests
{
    [Fact]
    public async Task SetLearningRate_Valid_ChangesTheOptimizerRateOnTheNextStepAndTheMetricShowsIt()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 2);
            commandId = harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id, 0.02).Id;
            harness.Optimizer.ParamGroups.Should().AllSatisfy(g => g.LearningRate.Should().Be(TrainingHarness.LearningRate), "nothing changes before the boundary");
            harness.Steps(session, 2);
            harness.Optimizer.ParamGroups.Should().AllSatisfy(g => g.LearningRate.Should().Be(0.02));
            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.Kind.Should().Be(TrainingEventKind.ControlApplied);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Command!.Value.Should().Be(0.02);
        ack.Step.Should().Be(2, "it was applied at the boundary before step 3");
        ack.Message.Should().Contain("0.02");
        events.OfType<MetricEvent>().Select(m => m.Values[MetricNames.LearningRate])
            .Should().Equal(TrainingHarness.LearningRate, TrainingHarness.LearningRate, 0.02, 0.02);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(0.0)]
    [InlineData(-0.001)]
    [InlineData(11.0)]
    [InlineData(double.PositiveInfinity)]
    public async Task SetLearningRate_Invalid_IsRejectedWithReasonRateUnchangedAndTrainingContinues(double value)
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            commandId = harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id, value).Id;
            harness.Steps(session, 3);
            session.State.Should().Be(RunState.Training);
            session.Complete();
        }

        harness.Optimizer.ParamGroups.Should().AllSatisfy(g => g.LearningRate.Should().Be(TrainingHarness.LearningRate));
        var events = await harness.Recorder.WaitForRunFinishedAsync();
        var ack = events.OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("greater than 0 and at most 10").And.Contain("Nothing was changed");
        ack.State.Should().Be(RunState.Training);
        events.OfType<MetricEvent>().Should().HaveCount(4, "training went on after the rejection");
        events.OfType<MetricEvent>().Should().AllSatisfy(m => m.Values[MetricNames.LearningRate].Should().Be(TrainingHarness.LearningRate));
        events.OfType<TrainingEvent>().Last().State.Should().Be(RunState.Completed);
    }

    [Fact]
    public void SetLearningRate_SameValueAsNow_StillMarksTheRateOverriddenButARejectionDoesNot()
    {
        using var harness = new TrainingHarness(batchSize: 8);
        using var session = harness.Attach();
        session.LearningRateOverridden.Should().BeFalse();
        harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id, 99.0);
        harness.Steps(session, 1);
        session.LearningRateOverridden.Should().BeFalse("a rejected command changes nothing");

        // The rate a schedule set at this moment: setting it again must still end the schedule.
        harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id, TrainingHarness.LearningRate);
        harness.Steps(session, 1);
        session.LearningRateOverridden.Should().BeTrue();
    }

    [Fact]
    public async Task SetLearningRate_WithoutValue_IsRejected()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            commandId = harness.Control.Submit(ControlAction.SetLearningRate, session.Run.Id).Id;
            harness.Steps(session, 1);
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("got no value");
    }

    [Fact]
    public async Task SetWeightDecay_Valid_SetsEveryAdamGroupsDecay()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        string commandId;
        using (var session = harness.Attach())
        {
            harness.Steps(session, 1);
            commandId = harness.Control.Submit(ControlAction.SetWeightDecay, session.Run.Id, 0.05).Id;
            harness.Steps(session, 2);
            session.Complete();
        }

        WeightDecays(harness.Optimizer).Should().AllSatisfy(d => d.Should().Be(0.05));
        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
        ack.Command!.Value.Should().Be(0.05);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public async Task SetWeightDecay_Invalid_IsRejectedAndDecayUnchanged(double value)
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        var before = WeightDecays(harness.Optimizer);
        string commandId;
        using (var session = harness.Attach())
        {
            commandId = harness.Control.Submit(ControlAction.SetWeightDecay, session.Run.Id, value).Id;
            harness.Steps(session, 2);
            session.Complete();
        }

        WeightDecays(harness.Optimizer).Should().Equal(before);
        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("from 0 to 1");
    }

    [Fact]
    public async Task SetWeightDecay_OptimizerWithoutSupport_IsRejected()
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using var rprop = optim.Rprop(harness.Model.parameters(), 0.01);
        string commandId;
        using (var session = harness.Monitor.Attach(harness.Model, rprop, TrainingHarness.NewRun()))
        {
            commandId = harness.Control.Submit(ControlAction.SetWeightDecay, session.Run.Id, 0.01).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            session.Complete();
        }

        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Rejected);
        ack.Message.Should().Contain("Adam, AdamW and SGD").And.Contain("Rprop");
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adamw")]
    public async Task SetWeightDecay_SgdAndAdamW_SetEveryGroupsDecay(string kind)
    {
        using var harness = new TrainingHarness(new TorchMonitorOptions { MetricsInterval = 1 }, batchSize: 8);
        using optim.Optimizer optimizer = kind == "sgd"
            ? optim.SGD(harness.Model.parameters(), 0.01, momentum: 0.9)
            : optim.AdamW(harness.Model.parameters(), 0.01);
        string commandId;
        using (var session = harness.Monitor.Attach(harness.Model, optimizer, TrainingHarness.NewRun()))
        {
            commandId = harness.Control.Submit(ControlAction.SetWeightDecay, session.Run.Id, 0.25).Id;
            session.WaitForStepBoundary().Should().BeTrue();
            session.Complete();
        }

        optimizer.ParamGroups.Select(g => ((TorchSharp.Modules.ParamGroup)g).Options switch
        {
            TorchSharp.Modules.SGD.Options sgd => sgd.weight_decay,
            TorchSharp.Modules.AdamW.Options adamW => adamW.weight_decay,
            _ => null,
        }).Should().NotBeEmpty().And.OnlyContain(d => d == 0.25);
        var ack = (await harness.Recorder.WaitForRunFinishedAsync()).OfType<TrainingEvent>().Single(e => e.Command?.Id == commandId);
        ack.ControlStatus.Should().Be(ControlStatus.Applied);
    }

    private static List<double> WeightDecays(optim.Optimizer optimizer) =>
        [.. optimizer.ParamGroups.Select(g => ((TorchSharp.Modules.Adam.Options)((TorchSharp.Modules.ParamGroup)g).Options).weight_decay!.Value)];
}
