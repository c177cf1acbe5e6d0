using TrainInsight.Internal;
using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Storage;

/// <summary>The one set of run-summary rules the bus and every store follow (src/Shared/Storage/RunSummary.cs).</summary>
public class RunSummaryTests
{
    private static readonly RunDescriptor s_run = new("run-a");

    [Fact]
    public void Observe_MetricAndTrainingEvents_TracksPositionStateCountsAndNewNames()
    {
        var summary = new RunSummary(s_run, DateTimeOffset.UnixEpoch);
        var names = new List<string>();

        summary.Observe(Stamped(s_run, offset: 3, sequence: 1, name: "b"), names);
        summary.Observe(new MetricEvent(s_run, 5, new Dictionary<string, double> { ["a"] = 1, ["b"] = 2 }) { Epoch = 2, Batch = 7, Offset = 4, Sequence = 2 }, names);
        summary.Observe(new TrainingEvent(s_run, TrainingEventKind.ControlApplied) { State = RunState.Paused, Offset = 9, Sequence = 3 }, names);

        summary.State.Should().Be(RunState.Paused);
        (summary.LastStep, summary.LastEpoch, summary.LastBatch).Should().Be((5L, 2, 7));
        (summary.EventCount, summary.LastSequence, summary.LastOffset).Should().Be((3L, 3L, 9L));
        names.Should().Equal("b", "a");
        summary.ToStoredRun().MetricNames.Should().Equal("a", "b");
    }

    [Fact]
    public void Observe_TrackingOff_KeepsNoNames()
    {
        var summary = new RunSummary(s_run, DateTimeOffset.UnixEpoch, trackMetricNames: false);

        summary.Observe(Stamped(s_run, 1, 1));

        summary.MetricNames.Should().BeNull();
        summary.ToStoredRun().MetricNames.Should().BeEmpty();
    }

    [Fact]
    public void Clone_ChangedAfterwards_OriginalUnchanged()
    {
        var summary = new RunSummary(s_run, DateTimeOffset.UnixEpoch);
        summary.Observe(Stamped(s_run, 1, 1, "x"));

        var copy = summary.Clone();
        copy.Observe(Stamped(s_run, 2, 2, "y"));

        summary.EventCount.Should().Be(1);
        summary.MetricNames.Should().Equal("x");
        copy.MetricNames.Should().Equal("x", "y");
    }

    [Theory]
    [InlineData(RunState.Training, TrainingEventKind.RunLost, null, RunState.Lost)]
    [InlineData(RunState.Paused, TrainingEventKind.RunLost, null, RunState.Lost)]
    [InlineData(RunState.Lost, TrainingEventKind.EpochCompleted, null, RunState.Training)]
    [InlineData(RunState.Lost, TrainingEventKind.RunFinished, RunState.Completed, RunState.Completed)]
    [InlineData(RunState.Paused, TrainingEventKind.EpochCompleted, null, RunState.Paused)]
    [InlineData(RunState.Training, TrainingEventKind.ControlApplied, RunState.Paused, RunState.Paused)]
    public void NextState_TrainingEvent_FollowsTheRules(RunState current, TrainingEventKind kind, RunState? carried, RunState expected) =>
        RunSummary.NextState(current, new TrainingEvent(s_run, kind) { State = carried }).Should().Be(expected);

    [Theory]
    [InlineData(RunState.Lost, RunState.Training)]
    [InlineData(RunState.Paused, RunState.Paused)]
    [InlineData(RunState.Completed, RunState.Completed)]
    public void NextState_MetricEvent_BringsOnlyALostRunBack(RunState current, RunState expected) =>
        RunSummary.NextState(current, Metric(s_run, 1)).Should().Be(expected);
}
