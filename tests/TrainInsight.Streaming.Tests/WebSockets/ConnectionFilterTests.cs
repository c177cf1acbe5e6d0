using TrainInsight.Streaming.WebSockets;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.WebSockets;

public sealed class ConnectionFilterTests
{
    private static readonly RunDescriptor s_a = Run("run-a");
    private static readonly RunDescriptor s_b = Run("run-b");

    [Fact]
    public void Everything_AnyEvent_Matches()
    {
        var filter = ConnectionFilter.Everything;

        filter.Runs.Should().BeNull();
        filter.Metrics.Should().BeNull();
        filter.Matches(Loss(s_a, 1)).Should().BeTrue();
        filter.Matches(EpochCompleted(s_b, 1, 1)).Should().BeTrue();
    }

    [Fact]
    public void Create_RunAndNames_SetsBoth()
    {
        var filter = ConnectionFilter.Create("run-a", ["val_loss"]);

        filter.Runs.Should().BeEquivalentTo("run-a");
        filter.Metrics.Should().BeEquivalentTo("val_loss");
    }

    [Fact]
    public void Create_Nothing_IsAll()
    {
        var filter = ConnectionFilter.Create(null, null);

        filter.Runs.Should().BeNull();
        filter.Metrics.Should().BeNull();
    }

    [Fact]
    public void Matches_OtherRun_IsFalse()
    {
        var filter = ConnectionFilter.Create("run-a", null);

        filter.Matches(Loss(s_a, 1)).Should().BeTrue();
        filter.Matches(Loss(s_b, 1)).Should().BeFalse();
        filter.Matches(EpochCompleted(s_b, 1, 1)).Should().BeFalse();
    }

    [Fact]
    public void Matches_MetricFilter_PassesMetricEventsCarryingANamedMetricAndEveryTrainingEvent()
    {
        var filter = ConnectionFilter.Create(null, [MetricNames.ValLoss]);

        filter.Matches(Loss(s_a, 1)).Should().BeFalse("it carries only train_loss");
        filter.Matches(Metric(s_a, 1, (MetricNames.ValLoss, 0.5))).Should().BeTrue();
        filter.Matches(Metric(s_a, 1, (MetricNames.TrainLoss, 0.5), (MetricNames.ValLoss, 0.5))).Should().BeTrue();
        filter.Matches(EpochCompleted(s_a, 1, 1)).Should().BeTrue("training events are not metric updates");
    }

    [Fact]
    public void Matches_MetricNames_AreCaseSensitive()
    {
        var filter = ConnectionFilter.Create(null, ["val_loss"]);

        filter.Matches(Metric(s_a, 1, ("VAL_LOSS", 0.5))).Should().BeFalse();
    }

    [Fact]
    public void Matches_Gap_AlwaysPassesEvenWhenItsRunIsFilteredOut()
    {
        var nothing = ConnectionFilter.Everything.Unsubscribe([ConnectionFilter.All], [ConnectionFilter.All], out _)!;

        nothing.Matches(new GapEvent(s_b, 3, 1, 3, 0)).Should().BeTrue();
        ConnectionFilter.Create("run-a", ["x"]).Matches(new GapEvent(s_b, 3, 1, 3, 0)).Should().BeTrue();
        nothing.Matches(Loss(s_a, 1)).Should().BeFalse();
    }

    [Fact]
    public void Subscribe_ListWhileReceivingAll_NarrowsToTheList()
    {
        var filter = ConnectionFilter.Everything.Subscribe(["run-b"], null);

        filter.Runs.Should().BeEquivalentTo("run-b");
        filter.Metrics.Should().BeNull("metrics were not named");
        filter.Matches(Loss(s_a, 1)).Should().BeFalse();
        filter.Matches(Loss(s_b, 1)).Should().BeTrue();
    }

    [Fact]
    public void Subscribe_ListWhileReceivingAList_AddsToIt()
    {
        var filter = ConnectionFilter.Create("run-a", ["x"]).Subscribe(["run-b", "run-a"], ["y"]);

        filter.Runs.Should().BeEquivalentTo("run-a", "run-b");
        filter.Metrics.Should().BeEquivalentTo("x", "y");
    }

    [Theory]
    [InlineData("*")]
    [InlineData("run-c,*")]
    public void Subscribe_Star_RestoresAll(string list)
    {
        var runs = list.Split(',');
        var filter = ConnectionFilter.Create("run-a", ["x"]).Subscribe(runs, [ConnectionFilter.All]);

        filter.Runs.Should().BeNull();
        filter.Metrics.Should().BeNull();
        filter.Matches(Loss(s_b, 1)).Should().BeTrue();
    }

    [Fact]
    public void Subscribe_NullOrEmptyLists_KeepTheCurrentSets()
    {
        var current = ConnectionFilter.Create("run-a", ["x"]);

        var filter = current.Subscribe(null, []);

        filter.Runs.Should().BeEquivalentTo("run-a");
        filter.Metrics.Should().BeEquivalentTo("x");
        ConnectionFilter.Everything.Subscribe([], null).Runs.Should().BeNull("an empty list names nothing to narrow to");
    }

    [Fact]
    public void Subscribe_ReturnsNewFilter_LeavesTheOldOneUnchanged()
    {
        var current = ConnectionFilter.Create("run-a", null);

        var filter = current.Subscribe(["run-b"], ["x"]);

        filter.Should().NotBeSameAs(current);
        current.Runs.Should().BeEquivalentTo("run-a");
        current.Metrics.Should().BeNull();
        ConnectionFilter.Everything.Runs.Should().BeNull();
    }

    [Fact]
    public void Unsubscribe_FromAList_RemovesThoseNames()
    {
        var current = ConnectionFilter.Create(null, null).Subscribe(["run-a", "run-b", "run-c"], ["x", "y"]);

        var filter = current.Unsubscribe(["run-a", "run-z"], ["y"], out var error);

        error.Should().BeNull();
        filter!.Runs.Should().BeEquivalentTo("run-b", "run-c");
        filter.Metrics.Should().BeEquivalentTo("x");
        current.Runs.Should().BeEquivalentTo("run-a", "run-b", "run-c");
    }

    [Fact]
    public void Unsubscribe_EveryListedRun_LeavesAnEmptySetThatMatchesOnlyGaps()
    {
        var filter = ConnectionFilter.Create("run-a", null).Unsubscribe(["run-a"], null, out var error);

        error.Should().BeNull();
        filter!.Runs.Should().BeEmpty();
        filter.Matches(Loss(s_a, 1)).Should().BeFalse();
        filter.Matches(new GapEvent(s_a, 1, 1, 1, 1)).Should().BeTrue();
    }

    [Fact]
    public void Unsubscribe_Star_RemovesAllOfThatKindWhetherAllOrAList()
    {
        var fromAll = ConnectionFilter.Everything.Unsubscribe([ConnectionFilter.All], null, out var error1);
        var fromList = ConnectionFilter.Create(null, ["x"]).Unsubscribe(null, ["x", ConnectionFilter.All], out var error2);

        error1.Should().BeNull();
        error2.Should().BeNull();
        fromAll!.Runs.Should().BeEmpty();
        fromAll.Metrics.Should().BeNull();
        fromList!.Metrics.Should().BeEmpty();
        fromList.Runs.Should().BeNull();
        fromList.Matches(Loss(s_a, 1)).Should().BeFalse("no metric is wanted any more");
        fromList.Matches(EpochCompleted(s_a, 1, 1)).Should().BeTrue("training events still pass");
    }

    [Fact]
    public void Unsubscribe_ThenSubscribe_ReceivesOnlyTheNewList()
    {
        var filter = ConnectionFilter.Everything.Unsubscribe([ConnectionFilter.All], null, out _)!.Subscribe(["run-b"], null);

        filter.Runs.Should().BeEquivalentTo("run-b");
    }

    [Fact]
    public void Unsubscribe_RunListWhileReceivingAllRuns_FailsWithErrorAndNoChange()
    {
        var current = ConnectionFilter.Create(null, ["x"]);

        var filter = current.Unsubscribe(["run-a"], ["x"], out var error);

        filter.Should().BeNull("neither half is applied when one fails");
        error.Should().Contain("all runs").And.Contain("\"*\"");
        current.Metrics.Should().BeEquivalentTo("x");
    }

    [Fact]
    public void Unsubscribe_MetricListWhileReceivingAllMetrics_FailsWithErrorAndNoChange()
    {
        var current = ConnectionFilter.Create("run-a", null);

        var filter = current.Unsubscribe(["run-a"], ["x"], out var error);

        filter.Should().BeNull("the runs half is not applied when the metrics half fails");
        error.Should().Contain("all metrics");
        current.Runs.Should().BeEquivalentTo("run-a");
    }

    [Fact]
    public void Unsubscribe_NullLists_KeepTheCurrentSets()
    {
        var current = ConnectionFilter.Create("run-a", null);

        var filter = current.Unsubscribe(null, null, out var error);

        error.Should().BeNull();
        filter!.Runs.Should().BeEquivalentTo("run-a");
        filter.Metrics.Should().BeNull();
    }

    [Fact]
    public void Unsubscribe_EmptyListWhileReceivingAll_IsANoOp()
    {
        // Like subscribing to [], unsubscribing from [] names nothing: it is not an attempt to remove from "all".
        var filter = ConnectionFilter.Everything.Unsubscribe([], [], out var error);

        error.Should().BeNull();
        filter!.Runs.Should().BeNull();
        filter.Metrics.Should().BeNull();
    }
}
