using static TorchSharp.torch;

namespace TrainInsight.Torch.Tests.Hooks;

public sealed class TrainingMonitorTests
{
    [Fact]
    public async Task Attach_RunWithoutModelFacts_FillsModelNameAndParameterCountAndKeepsTheRest()
    {
        using var harness = new TrainingHarness();
        var startedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var run = new RunDescriptor("monitor-fill") { Name = "Fill me in", TotalEpochs = 3, StepsPerEpoch = 50, StartedAt = startedAt };

        using var session = harness.Monitor.Attach(harness.Model, harness.Optimizer, run);

        session.Run.Id.Should().Be("monitor-fill");
        session.Run.Name.Should().Be("Fill me in");
        session.Run.ModelName.Should().Be("SmallCnn");
        session.Run.ParameterCount.Should().Be(harness.Model.parameters().Sum(p => p.numel())).And.Be(105_866);
        session.Run.TotalEpochs.Should().Be(3);
        session.Run.StepsPerEpoch.Should().Be(50);
        session.Run.StartedAt.Should().Be(startedAt);
        var started = await harness.Recorder.WaitForAsync<TrainingEvent>(e => e.Kind == TrainingEventKind.RunStarted, "the run started");
        started.Run.Should().BeSameAs(session.Run, "every event of the run shares one descriptor");
    }

    [Fact]
    public void Attach_RunWithModelFacts_KeepsTheDescriptor()
    {
        using var harness = new TrainingHarness();
        var run = new RunDescriptor("monitor-keep") { ModelName = "MyNet", ParameterCount = 42 };

        using var session = harness.Monitor.Attach(harness.Model, harness.Optimizer, run);

        session.Run.Should().BeSameAs(run);
    }

    [Fact]
    public void Attach_FrozenParameters_AreNotCounted()
    {
        using var harness = new TrainingHarness();
        var frozen = harness.Model.parameters().First();
        frozen.requires_grad = false;

        using var session = harness.Attach();

        session.Run.ParameterCount.Should().Be(105_866 - frozen.numel());
    }

    [Fact]
    public async Task Attach_NewRun_PublishesRunStartedAndAcceptsCommands()
    {
        using var harness = new TrainingHarness();

        using var session = harness.Attach();

        session.State.Should().Be(RunState.Training);
        session.Step.Should().Be(0);
        session.Epoch.Should().Be(0);
        session.TelemetryErrors.Should().Be(0);
        harness.Control.ActiveRuns.Should().Equal(session.Run.Id);
        var started = await harness.Recorder.WaitForAsync<TrainingEvent>(_ => true, "the run started");
        started.Kind.Should().Be(TrainingEventKind.RunStarted);
        started.State.Should().Be(RunState.Training);
        started.Step.Should().Be(0);
        started.Sequence.Should().Be(1);
    }

    [Fact]
    public void Attach_SameRunIdTwice_ThrowsUntilTheFirstSessionEnds()
    {
        using var harness = new TrainingHarness();
        var run = TrainingHarness.NewRun();
        var first = harness.Attach(run);

        var act = () => harness.Attach(run);

        act.Should().Throw<InvalidOperationException>().WithMessage($"Run '{run.Id}' is already attached.");
        first.Complete();
        using var second = harness.Attach(run);
        harness.Control.ActiveRuns.Should().Equal(run.Id);
    }

    [Fact]
    public void Attach_TwoRuns_CommandsReachOnlyTheirTarget()
    {
        using var harness = new TrainingHarness();
        using var first = harness.Attach();
        using var second = harness.Attach();

        harness.Control.Submit(ControlAction.Stop, first.Run.Id);

        first.WaitForStepBoundary().Should().BeFalse();
        second.WaitForStepBoundary().Should().BeTrue();
        second.State.Should().Be(RunState.Training);
    }

    [Fact]
    public async Task Constructor_NoOptions_SamplesEveryTenthStep()
    {
        using var harness = new TrainingHarness();
        var monitor = new TrainingMonitor(harness.Bus, harness.Control);
        using (var session = monitor.Attach(harness.Model, harness.Optimizer, TrainingHarness.NewRun()))
        using (NewDisposeScope())
        {
            for (var i = 0; i < 20; i++)
            {
                session.RecordStep(tensor(1f), batchSize: 4);
            }

            session.Complete();
        }

        var events = await harness.Recorder.WaitForRunFinishedAsync();
        events.OfType<MetricEvent>().Select(m => m.Step).Should().Equal(1, 10, 20);
    }

    [Fact]
    public void Constructor_NullArguments_Throw()
    {
        using var bus = TelemetryBus.Create();
        var control = TrainingControl.Create();

        FluentActions.Invoking(() => new TrainingMonitor(null!, control)).Should().Throw<ArgumentNullException>().WithParameterName("bus");
        FluentActions.Invoking(() => new TrainingMonitor(bus, null!)).Should().Throw<ArgumentNullException>().WithParameterName("control");
    }

    [Fact]
    public void Attach_NullArguments_Throw()
    {
        using var harness = new TrainingHarness();
        var run = TrainingHarness.NewRun();

        FluentActions.Invoking(() => harness.Monitor.Attach(null!, harness.Optimizer, run)).Should().Throw<ArgumentNullException>().WithParameterName("model");
        FluentActions.Invoking(() => harness.Monitor.Attach(harness.Model, null!, run)).Should().Throw<ArgumentNullException>().WithParameterName("optimizer");
        FluentActions.Invoking(() => harness.Monitor.Attach(harness.Model, harness.Optimizer, null!)).Should().Throw<ArgumentNullException>().WithParameterName("run");
        harness.Control.ActiveRuns.Should().BeEmpty();
    }
}
