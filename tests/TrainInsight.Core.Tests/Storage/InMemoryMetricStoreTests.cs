using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Storage;

public class InMemoryMetricStoreTests
{
    private static readonly RunDescriptor s_runA = new("run-a");
    private static readonly RunDescriptor s_runB = new("run-b");

    [Fact]
    public void Constructor_MaxEventsOutOfRange_Throws()
    {
        FluentActions.Invoking(() => new InMemoryMetricStore(0)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new InMemoryMetricStore(100_000_001)).Should().Throw<ArgumentOutOfRangeException>();
        new InMemoryMetricStore().MaxEvents.Should().Be(100_000);
    }

    [Fact]
    public async Task LoadState_Empty_ZeroOffsetNoSequences()
    {
        using var store = new InMemoryMetricStore();

        var state = store.LoadState();

        state.LastOffset.Should().Be(0);
        state.LastSequences.Should().BeEmpty();
        (await store.ReadEventsAsync(0, 10)).Should().BeEmpty();
        (await store.GetRunsAsync(10)).Should().BeEmpty();
    }

    [Fact]
    public async Task LoadState_TwoRuns_LastOffsetAndEachRunsLastSequence()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync([Stamped(s_runA, 1, 1), Stamped(s_runB, 2, 1), Stamped(s_runA, 3, 2), Stamped(s_runA, 4, 3)]);

        var state = store.LoadState();

        state.LastOffset.Should().Be(4);
        state.LastSequences.Should().BeEquivalentTo(new Dictionary<string, long> { [s_runA.Id] = 3, [s_runB.Id] = 1 });
    }

    [Fact]
    public async Task GetFindingsAsync_RevisionEventsRemovedBeyondMaxEvents_KeepsTheLatestRevisionOfEachFinding()
    {
        using var store = new InMemoryMetricStore(maxEvents: 2);
        await store.AppendAsync(
        [
            MetricStoreContractTests.Finding(s_runA, "a", 1, 1),
            MetricStoreContractTests.Finding(s_runA, "b", 2, 2),
            MetricStoreContractTests.Finding(s_runA, "a", 3, 3, FindingState.Resolved, revision: 2),
        ]);
        await store.AppendAsync([Stamped(s_runA, 4, 4), Stamped(s_runA, 5, 5)]);

        (await store.ReadEventsAsync(0, 100)).Select(e => e.Offset).Should().Equal(4, 5);
        (await store.GetFindingsAsync(new FindingQuery(s_runA.Id))).Select(f => (f.FindingId, f.Revision, f.Offset)).Should().Equal(("a", 2, 3L), ("b", 1, 2L));
        (await store.GetFindingsAsync(new FindingQuery(s_runA.Id) { State = FindingState.Open })).Select(f => f.FindingId).Should().Equal("b");
    }

    [Fact]
    public async Task AppendAsync_BeyondMaxEvents_RemovesOldestButKeepsRunSummariesAndState()
    {
        using var store = new InMemoryMetricStore(maxEvents: 3);
        await store.AppendAsync([Stamped(s_runB, 1, 1), Stamped(s_runA, 2, 1), Stamped(s_runA, 3, 2)]);
        await store.AppendAsync([Stamped(s_runA, 4, 3), Stamped(s_runA, 5, 4)]);

        (await store.ReadEventsAsync(0, 100)).Select(e => e.Offset).Should().Equal(3, 4, 5);
        (await store.ReadEventsAsync(0, 100, s_runB.Id)).Should().BeEmpty();
        (await store.ReadEventsAsync(0, 100, s_runA.Id)).Select(e => e.Offset).Should().Equal(3, 4, 5);
        var runB = await store.GetRunAsync(s_runB.Id);
        runB.Should().NotBeNull("retention removes events, not run summaries");
        runB!.EventCount.Should().Be(1);
        runB.LastOffset.Should().Be(1);
        (await store.GetRunAsync(s_runA.Id))!.EventCount.Should().Be(4);
        store.LoadState().LastSequences.Should().BeEquivalentTo(new Dictionary<string, long> { [s_runA.Id] = 4, [s_runB.Id] = 1 });
    }

    [Fact]
    public async Task AppendAsync_ManyMoreThanMaxEvents_ReadsStayCorrectAfterCompaction()
    {
        using var store = new InMemoryMetricStore(maxEvents: 100);
        for (var offset = 1L; offset <= 5_000; offset += 50)
        {
            await store.AppendAsync([.. LongRange(offset, offset + 49).Select(o => (TrainInsightEvent)Stamped(s_runA, o, o))]);
        }

        (await store.ReadEventsAsync(0, 1_000)).Select(e => e.Offset).Should().Equal(LongRange(4_901, 5_000));
        (await store.ReadEventsAsync(4_950, 10, s_runA.Id)).Select(e => e.Offset).Should().Equal(LongRange(4_951, 4_960));
    }

    [Fact]
    public async Task AppendAsync_GapEvents_Ignored()
    {
        using var store = new InMemoryMetricStore();

        await store.AppendAsync([new GapEvent(s_runA, 2, 1, 2, 1), Stamped(s_runA, 3, 3)]);

        (await store.ReadEventsAsync(0, 10)).Select(e => e.Offset).Should().Equal(3);
    }

    [Fact]
    public async Task ReadEventsAsync_AfterOffsetLimitAndRun_ReturnsThoseInOrder()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync([.. LongRange(1, 10).Select(o => (TrainInsightEvent)Stamped(o % 2 == 0 ? s_runB : s_runA, o, (o + 1) / 2))]);

        (await store.ReadEventsAsync(3, 4)).Select(e => e.Offset).Should().Equal(4, 5, 6, 7);
        (await store.ReadEventsAsync(3, 100, s_runB.Id)).Select(e => e.Offset).Should().Equal(4, 6, 8, 10);
        (await store.ReadEventsAsync(10, 100)).Should().BeEmpty();
        (await store.ReadEventsAsync(0, 100, "unknown")).Should().BeEmpty();
        await store.Invoking(s => s.ReadEventsAsync(-1, 1)).Should().ThrowAsync<ArgumentOutOfRangeException>();
        await store.Invoking(s => s.ReadEventsAsync(0, 0)).Should().ThrowAsync<ArgumentOutOfRangeException>();
    }

    [Fact]
    public async Task GetMetricsAsync_NamesAfterStepAndLimit_FiltersAndOrdersByOffsetThenName()
    {
        using var store = new InMemoryMetricStore();
        await store.AppendAsync(
        [
            new MetricEvent(s_runA, 1, new Dictionary<string, double> { ["b"] = 1, ["a"] = 10 }) { Offset = 1, Sequence = 1 },
            new MetricEvent(s_runB, 1, new Dictionary<string, double> { ["a"] = -1 }) { Offset = 2, Sequence = 1 },
            new TrainingEvent(s_runA, TrainingEventKind.EpochCompleted) { Metrics = new Dictionary<string, double> { ["a"] = 99 }, Offset = 3, Sequence = 2 },
            new MetricEvent(s_runA, 2, new Dictionary<string, double> { ["c"] = 3, ["a"] = double.NaN, ["b"] = 2 }) { Offset = 4, Sequence = 3 },
            new MetricEvent(s_runA, 3, new Dictionary<string, double> { ["a"] = 30 }) { Offset = 5, Sequence = 4 },
        ]);

        (await store.GetMetricsAsync(new MetricQuery(s_runA.Id))).Select(p => (p.Name, p.Step, p.Offset)).Should().Equal(
            ("a", 1L, 1L), ("b", 1L, 1L), ("a", 2L, 4L), ("b", 2L, 4L), ("c", 2L, 4L), ("a", 3L, 5L));
        (await store.GetMetricsAsync(new MetricQuery(s_runA.Id) { Names = ["a"], AfterStep = 1 })).Select(p => (p.Step, p.Value)).Should().Equal(
            (2L, double.NaN), (3L, 30.0));
        (await store.GetMetricsAsync(new MetricQuery(s_runA.Id) { Limit = 3 })).Should().HaveCount(3);
        (await store.GetMetricsAsync(new MetricQuery("nobody"))).Should().BeEmpty();
        var point = (await store.GetMetricsAsync(new MetricQuery(s_runA.Id) { Names = ["c"] })).Single();
        point.Should().Be(new MetricPoint(s_runA.Id, "c", 2, 3, point.Timestamp, 3, 4));
    }

    [Fact]
    public async Task GetCommandsAsync_ControlAppliedEvents_AuditTrailOldestFirst()
    {
        using var store = new InMemoryMetricStore();
        var pause = new ControlCommand(ControlAction.Pause, s_runA.Id);
        var stop = new ControlCommand(ControlAction.Stop);
        await store.AppendAsync(
        [
            new TrainingEvent(s_runA, TrainingEventKind.ControlApplied) { Command = pause, ControlStatus = ControlStatus.Applied, Step = 7, Offset = 1, Sequence = 1 },
            new TrainingEvent(s_runA, TrainingEventKind.ControlApplied) { Offset = 2, Sequence = 2 }, // incomplete: no record
            new TrainingEvent(s_runA, TrainingEventKind.EpochCompleted) { Offset = 3, Sequence = 3 },
            new TrainingEvent(s_runB, TrainingEventKind.ControlApplied) { Command = stop, ControlStatus = ControlStatus.Applied, Offset = 4, Sequence = 1 },
            new TrainingEvent(s_runA, TrainingEventKind.ControlApplied) { Command = stop, ControlStatus = ControlStatus.Rejected, Message = "already stopping", Offset = 5, Sequence = 4 },
        ]);

        var commands = await store.GetCommandsAsync(s_runA.Id);

        commands.Select(c => (c.CommandId, c.Action, c.Status, c.Step, c.Message, c.Offset, c.RunId)).Should().Equal(
            (pause.Id, ControlAction.Pause, ControlStatus.Applied, 7L, (string?)null, 1L, s_runA.Id),
            (stop.Id, ControlAction.Stop, ControlStatus.Rejected, (long?)null, "already stopping", 5L, s_runA.Id));
        commands[0].IssuedAt.Should().Be(pause.IssuedAt);
        (await store.GetCommandsAsync(s_runB.Id)).Should().ContainSingle();
        (await store.GetCommandsAsync("nobody")).Should().BeEmpty();
    }

    [Fact]
    public async Task GetRunsAsync_SeveralRuns_MostRecentlyUpdatedFirstWithSummaries()
    {
        using var store = new InMemoryMetricStore();
        var t0 = DateTimeOffset.UnixEpoch;
        await store.AppendAsync(
        [
            new MetricEvent(s_runA, 1, new Dictionary<string, double> { ["loss"] = 1 }, t0) { Epoch = 1, Offset = 1, Sequence = 1 },
            new MetricEvent(s_runB, 1, new Dictionary<string, double> { ["acc"] = 1 }, t0.AddSeconds(1)) { Offset = 2, Sequence = 1 },
            new TrainingEvent(s_runA, TrainingEventKind.RunFinished, t0.AddSeconds(2)) { State = RunState.Completed, Step = 9, Offset = 3, Sequence = 2 },
        ]);

        var runs = await store.GetRunsAsync(10);

        runs.Select(r => r.Run.Id).Should().Equal(s_runA.Id, s_runB.Id);
        runs[0].Should().BeEquivalentTo(new
        {
            State = RunState.Completed,
            FirstEventAt = t0,
            LastEventAt = t0.AddSeconds(2),
            EventCount = 2L,
            LastSequence = 2L,
            LastOffset = 3L,
            LastStep = 9L,
            LastEpoch = 1,
            MetricNames = new[] { "loss" },
        });
        (await store.GetRunsAsync(1)).Should().ContainSingle().Which.Run.Should().BeSameAs(s_runA);
        (await store.GetRunAsync("nobody")).Should().BeNull();
    }
}
