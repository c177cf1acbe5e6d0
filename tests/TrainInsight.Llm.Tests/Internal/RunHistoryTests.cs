using TrainInsight.Llm.Internal;
using TrainInsight.Llm.Tests.Infrastructure;

namespace TrainInsight.Llm.Tests.Internal;

public class RunHistoryTests
{
    [Fact]
    public async Task Read_MetricEvents_GroupsValuesBySeriesInStepOrder()
    {
        using var run = await new TestRun().Losses([1.0, 0.5], epoch: 1, extra: v => v[MetricNames.LearningRate] = 0.1).SettledAsync();

        var history = RunHistory.Read(run.Bus, run.Id);

        history.Run.Should().BeSameAs(run.Run);
        history.TrainLoss.Should().Equal(new MetricSample(1, 1, 1.0), new MetricSample(2, 1, 0.5));
        history.Get(MetricNames.LearningRate).Select(p => p.Value).Should().Equal(0.1, 0.1);
        history.Get("missing").Should().BeEmpty();
        history.Current.Step.Should().Be(2);
    }

    [Fact]
    public async Task Read_EpochEvents_SummariesInEpochOrderWithTheirMetrics()
    {
        using var run = await new TestRun()
            .Epoch(2, trainLoss: 0.5, valLoss: 0.6, valAccuracy: 0.9)
            .Epoch(1, trainLoss: 0.8, valLoss: 0.7)
            .SettledAsync();

        var history = RunHistory.Read(run.Bus, run.Id);

        history.Epochs.Select(e => e.Epoch).Should().Equal(1, 2);
        history.Epochs[1].Get(MetricNames.ValAccuracy).Should().Be(0.9);
        history.Epochs[0].Get(MetricNames.ValAccuracy).Should().BeNull();
    }

    [Fact]
    public async Task Read_EpochWithoutTrainLossSummary_UsesMeanOfItsSamples()
    {
        using var run = await new TestRun().Losses([1.0, 0.5], epoch: 1).Losses([0.25], epoch: 2).Epoch(1, trainLoss: null, valLoss: 0.7).SettledAsync();

        var history = RunHistory.Read(run.Bus, run.Id);

        history.Epochs.Should().ContainSingle().Which.Get(MetricNames.TrainLoss).Should().Be(0.75);
    }

    [Fact]
    public async Task Read_ValidationMetricWithEpochButNoEpochEvent_CreatesEpochSummary()
    {
        using var run = await new TestRun().Metrics(new() { [MetricNames.ValLoss] = 0.4, ["val_f1"] = 0.8, ["other"] = 1 }, epoch: 3).SettledAsync();

        var history = RunHistory.Read(run.Bus, run.Id);

        var epoch = history.Epochs.Should().ContainSingle().Subject;
        epoch.Epoch.Should().Be(3);
        epoch.Values.Keys.Should().BeEquivalentTo(MetricNames.ValLoss, "val_f1");
    }

    [Fact]
    public async Task Read_OtherRuns_AreIgnored()
    {
        using var a = new TestRun("run-a");
        using var b = new TestRun("run-b", a.Bus);
        a.Losses([1.0]);
        b.Losses([2.0, 3.0]).Epoch(1, 2.0, 2.0);
        await a.SettledAsync();

        var history = RunHistory.Read(a.Bus, "run-a");

        history.TrainLoss.Select(p => p.Value).Should().Equal(1.0);
        history.Epochs.Should().BeEmpty();
    }

    [Fact]
    public void Read_UnknownRun_ThrowsKeyNotFound()
    {
        using var bus = TelemetryBus.Create();

        var act = () => RunHistory.Read(bus, "x");

        act.Should().Throw<KeyNotFoundException>().WithMessage("*'x'*");
    }
}
