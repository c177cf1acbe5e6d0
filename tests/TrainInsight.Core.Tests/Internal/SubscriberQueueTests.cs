using TrainInsight.Internal;
using TrainInsight.Tests.Storage;
using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Internal;

public class SubscriberQueueTests
{
    private static readonly RunDescriptor s_runA = new("run-a");
    private static readonly RunDescriptor s_runB = new("run-b");

    [Fact]
    public void Write_MoreThanCapacity_OneGapBeforeTheKeptEvents()
    {
        long reported = 0;
        var queue = NewQueue(3, null, null, n => reported += n);

        queue.Write(Events(1, 5));

        DrainNow(queue).Select(Describe).Should().Equal("gap(2,1..2,s1)", "3", "4", "5");
        queue.DroppedCount.Should().Be(2);
        reported.Should().Be(2);
    }

    [Fact]
    public void Write_HeadWrapsSeveralTimes_KeepsNewestInOrder()
    {
        var queue = NewQueue(4, null, null, null);

        // One at a time, so the ring's head walks around it (11 writes into 4 slots).
        for (var offset = 1; offset <= 11; offset++)
        {
            queue.Write([Stamped(s_runA, offset, offset)]);
        }

        queue.Count.Should().Be(4);
        DrainNow(queue).Select(Describe).Should().Equal("gap(7,1..7,s1)", "8", "9", "10", "11");
        queue.Count.Should().Be(0);
    }

    [Fact]
    public void TryRead_ReadsInterleavedWithDrops_OneGapPerContiguousLossAtItsPlace()
    {
        var queue = NewQueue(3, null, null, null);
        var received = new List<TrainInsightEvent>();

        queue.Write(Events(1, 5));
        received.AddRange(Read(queue, 2));      // gap(1..2), 3: the rest (4, 5) is now in the reader's buffer
        queue.Write(Events(6, 10));             // 6, 7 dropped: a new loss after 4, 5
        received.AddRange(DrainNow(queue));
        queue.Write(Events(11, 12));            // nothing lost
        received.AddRange(DrainNow(queue));
        queue.Write(Events(13, 20));            // 13..17 lost
        received.AddRange(Read(queue, 1));
        queue.Write(Events(21, 21));            // 18 lost too: contiguous with the loss not yet read
        received.AddRange(DrainNow(queue));

        received.Select(Describe).Should().Equal(
            "gap(2,1..2,s1)", "3", "4", "5", "gap(2,6..7,s6)", "8", "9", "10", "11", "12", "gap(5,13..17,s13)", "18", "19", "20", "21");
        queue.DroppedCount.Should().Be(received.OfType<GapEvent>().Sum(g => g.MissedCount));
    }

    [Fact]
    public void TryRead_GapThenWrapOnNextTake_TakesBothHalvesOfTheRing()
    {
        var queue = NewQueue(4, null, null, null);
        queue.Write(Events(1, 6)); // head at 2: [5, 6, 3, 4]

        queue.TryRead(out var first).Should().BeTrue();
        Describe(first!).Should().Be("gap(2,1..2,s1)");
        queue.Count.Should().Be(4);
        DrainNow(queue).Select(Describe).Should().Equal("3", "4", "5", "6");

        queue.Write(Events(7, 13)); // ring reset by the take; drops 7..9, head at 3
        DrainNow(queue).Select(Describe).Should().Equal("gap(3,7..9,s7)", "10", "11", "12", "13");
    }

    [Fact]
    public void Write_RunFilter_QueuesAndCountsOnlyThatRun()
    {
        var queue = NewQueue(2, s_runB.Id, null, null);

        queue.Write([Stamped(s_runA, 1, 1), Stamped(s_runB, 2, 1), Stamped(s_runA, 3, 2), Stamped(s_runB, 4, 2), Stamped(s_runB, 5, 3), Stamped(s_runB, 6, 4)]);

        var received = DrainNow(queue);
        received.Select(Describe).Should().Equal("gap(2,2..4,s1)", "5", "6");
        received[0].RunId.Should().Be(s_runB.Id);
        queue.DroppedCount.Should().Be(2);
    }

    [Fact]
    public void Write_MetricNameFilter_SkipsMetricsWithoutTheNamesKeepsTrainingEvents()
    {
        var queue = NewQueue(10, null, ["x", "y"], null);
        var started = new TrainingEvent(s_runA, TrainingEventKind.RunStarted) { Offset = 3, Sequence = 3 };
        var readOnlyValues = new MetricEvent(s_runA, 5, new System.Collections.ObjectModel.ReadOnlyDictionary<string, double>(new Dictionary<string, double> { ["y"] = 1 })) { Offset = 5, Sequence = 5 };

        queue.Write([Stamped(s_runA, 1, 1, "x"), Stamped(s_runA, 2, 2, "z"), started, Stamped(s_runA, 4, 4, "zz"), readOnlyValues, new MetricEvent(s_runA, 6, null) { Offset = 6, Sequence = 6 }]);

        DrainNow(queue).Select(Describe).Should().Equal("1", "3", "5");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_NullOrEmptyMetricNames_ReceivesEveryMetric(bool empty)
    {
        var queue = NewQueue(10, null, empty ? [] : null, null);

        queue.Write([Stamped(s_runA, 1, 1, "x"), new MetricEvent(s_runA, 2, null) { Offset = 2, Sequence = 2 }]);

        DrainNow(queue).Select(Describe).Should().Equal("1", "2");
    }

    [Fact]
    public void Write_MetricNameFilterWithDrops_GapCountsOnlyMatchingEvents()
    {
        var queue = NewQueue(2, null, ["x"], null);

        queue.Write([Stamped(s_runA, 1, 1, "x"), Stamped(s_runA, 2, 2, "y"), Stamped(s_runA, 3, 3, "x"), new TrainingEvent(s_runA, TrainingEventKind.EpochCompleted) { Offset = 4, Sequence = 4 }, Stamped(s_runA, 5, 5, "x")]);

        DrainNow(queue).Select(Describe).Should().Equal("gap(2,1..3,s1)", "4", "5");
    }

    [Fact]
    public void Write_DroppingAGap_MergesItAndCountsOnlyEventsLostByFallingBehind()
    {
        var queue = NewQueue(2, null, null, null);

        // A gap the bus wrote (a resume position nothing holds any more), then events that push it out.
        queue.Write([new GapEvent(s_runA, 10, 1, 10, 0), Stamped(s_runA, 11, 11), Stamped(s_runA, 12, 12), Stamped(s_runA, 13, 13)]);

        DrainNow(queue).Select(Describe).Should().Equal("gap(11,1..11,s0)", "12", "13");
        queue.DroppedCount.Should().Be(1, "only event 11 was lost because the reader fell behind; the gap was no event");
    }

    [Fact]
    public void Write_RunFilter_GapWrittenByTheBusAlwaysPasses()
    {
        var queue = NewQueue(4, s_runB.Id, ["x"], null);

        queue.Write([new GapEvent(s_runA, 3, 1, 3, 0)]);

        DrainNow(queue).Select(Describe).Should().Equal("gap(3,1..3,s0)");
    }

    [Fact]
    public async Task WaitToReadAsync_Empty_WaitsUntilWrite()
    {
        var queue = NewQueue(4, null, null, null);

        var wait = queue.WaitToReadAsync().AsTask();
        wait.IsCompleted.Should().BeFalse();
        queue.Write(Events(1, 1));

        (await wait.WaitAsync(Patience)).Should().BeTrue();
        DrainNow(queue).Select(Describe).Should().Equal("1");
    }

    [Fact]
    public async Task WaitToReadAsync_Cancelled_ThrowsAndLaterWaitStillWorks()
    {
        var queue = NewQueue(4, null, null, null);
        using var cts = new CancellationTokenSource();

        var wait = queue.WaitToReadAsync(cts.Token).AsTask();
        await cts.CancelAsync();

        await wait.Invoking(w => w.WaitAsync(Patience)).Should().ThrowAsync<OperationCanceledException>();
        await queue.Invoking(q => q.WaitToReadAsync(cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        var again = queue.WaitToReadAsync().AsTask();
        queue.Write(Events(1, 1));
        (await again.WaitAsync(Patience)).Should().BeTrue();
    }

    [Fact]
    public async Task Complete_WhileWaiting_WaitReturnsFalse()
    {
        var queue = NewQueue(4, null, null, null);

        var wait = queue.WaitToReadAsync().AsTask();
        queue.Complete();

        (await wait.WaitAsync(Patience)).Should().BeFalse();
        queue.Completion.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public async Task Completion_CompletedWithEventsLeft_CompletesOnlyOnceDrained()
    {
        var queue = NewQueue(4, null, null, null);
        queue.Write(Events(1, 2));

        queue.Complete();
        queue.Write(Events(3, 3));

        queue.Completion.IsCompleted.Should().BeFalse("ChannelReader.Completion completes when no more data will ever be available");
        (await queue.WaitToReadAsync()).Should().BeTrue();
        queue.TryRead(out var first).Should().BeTrue();
        first!.Offset.Should().Be(1);
        queue.Completion.IsCompleted.Should().BeFalse("event 2 is still to be read");
        queue.TryRead(out var second).Should().BeTrue();
        second!.Offset.Should().Be(2);
        queue.TryRead(out _).Should().BeFalse("writes after completion are ignored");
        (await queue.WaitToReadAsync()).Should().BeFalse();
        await queue.Completion.WaitAsync(Patience);
    }

    [Fact]
    public void Count_QueuedAndTakenButUnread_CountsBoth()
    {
        var queue = NewQueue(10, null, null, null);
        queue.Write(Events(1, 3));
        queue.CanCount.Should().BeTrue();
        queue.Count.Should().Be(3);

        queue.TryRead(out _).Should().BeTrue(); // takes all three, returns one
        queue.Write(Events(4, 5));

        queue.Count.Should().Be(4);
    }

    [Fact]
    public async Task WaitToReadAsync_StoreFirst_ReadsStoreInPagesThenQueue()
    {
        var store = new FakeMetricStore();
        await store.AppendAsync(Events(1, 1_200));
        var queue = NewQueue(10, null, null, null);
        queue.ReplayFromStoreFirst(new StoreReplay(store, null, 100, 1_195, run: null, expectedSequence: 0, storedOffset: null));
        queue.Write(Events(1_196, 1_200));

        queue.TryRead(out _).Should().BeFalse("the store is read asynchronously, by WaitToReadAsync");
        var received = await ReadAsync(queue, 1_100);

        received.Select(e => e.Offset).Should().Equal(LongRange(101, 1_200));
        store.ReadCalls.Should().Be(3, "1,095 events are read in pages of 512");
    }

    [Fact]
    public async Task WaitToReadAsync_StoreMissesRanges_GapsCoverExactlyTheMissingOffsets()
    {
        var store = new FakeMetricStore { ReadFilter = (events, _, _) => [.. events.Where(e => e.Offset is not (>= 8 and <= 10) and <= 14)] };
        await store.AppendAsync(Events(1, 20));
        var queue = NewQueue(10, null, null, null);
        queue.ReplayFromStoreFirst(new StoreReplay(store, null, 5, 16, run: null, expectedSequence: 0, storedOffset: null));
        queue.Write(Events(17, 18));

        var received = await ReadAsync(queue, 10);

        received.Select(Describe).Should().Equal("6", "7", "gap(3,8..10,s0)", "11", "12", "13", "14", "gap(2,15..16,s0)", "17", "18");
    }

    [Fact]
    public async Task WaitToReadAsync_StoreThrows_GapForTheWholeRangeThenQueue()
    {
        var store = new FakeMetricStore { ReadFilter = (_, _, _) => throw new IOException("disk gone") };
        var queue = NewQueue(10, null, null, null);
        queue.ReplayFromStoreFirst(new StoreReplay(store, null, 5, 16, run: null, expectedSequence: 0, storedOffset: null));
        queue.Write(Events(17, 17));

        (await ReadAsync(queue, 2)).Select(Describe).Should().Equal("gap(11,6..16,s0)", "17");
    }

    [Fact]
    public async Task WaitToReadAsync_RunFilteredStoreMissesEventsInTheMiddle_GapWithMissedSequences()
    {
        // Run B at even offsets 2..20 with sequences 1..10; the store lost B's sequences 4 and 5 (offsets 8, 10).
        var store = new FakeMetricStore { ReadFilter = (events, _, _) => [.. events.Where(e => e.Offset is not (8 or 10))] };
        await store.AppendAsync(TwoRuns(20));
        var queue = NewQueue(10, s_runB.Id, null, null);
        queue.ReplayFromStoreFirst(new StoreReplay(store, s_runB.Id, 3, 20, run: null, expectedSequence: 0, storedOffset: null));

        var received = await ReadAsync(queue, 8);

        received.Select(Describe).Should().Equal("4", "6", "gap(2,7..11,s4)", "12", "14", "16", "18", "20");
    }

    [Fact]
    public async Task WaitToReadAsync_ReadCancelled_ThrowsAndReplayResumesLater()
    {
        var release = new TaskCompletionSource();
        var store = new BlockingReadStore(release.Task);
        await store.AppendAsync(Events(1, 5));
        var queue = NewQueue(10, null, null, null);
        queue.ReplayFromStoreFirst(new StoreReplay(store, null, 0, 5, run: null, expectedSequence: 0, storedOffset: null));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await queue.Invoking(q => q.WaitToReadAsync(cts.Token).AsTask()).Should().ThrowAsync<OperationCanceledException>();
        release.SetResult();

        (await ReadAsync(queue, 5)).Select(e => e.Offset).Should().Equal(1, 2, 3, 4, 5);
    }

    internal static TrainInsightEvent[] Events(long first, long last) =>
        [.. LongRange(first, last).Select(o => (TrainInsightEvent)Stamped(s_runA, o, o))];

    /// <summary>Runs A and B alternating, A first: A at odd offsets, B at even ones.</summary>
    internal static TrainInsightEvent[] TwoRuns(long count) =>
        [.. LongRange(1, count).Select(o => (TrainInsightEvent)Stamped(o % 2 == 1 ? s_runA : s_runB, o, (o + 1) / 2))];

    private static List<TrainInsightEvent> Read(SubscriberQueue queue, int count)
    {
        var result = new List<TrainInsightEvent>();
        for (var i = 0; i < count; i++)
        {
            queue.TryRead(out var e).Should().BeTrue();
            result.Add(e!);
        }

        return result;
    }

    private static async Task<List<TrainInsightEvent>> ReadAsync(SubscriberQueue queue, int count)
    {
        using var cts = new CancellationTokenSource(Patience);
        var result = new List<TrainInsightEvent>();
        while (result.Count < count)
        {
            result.Add(await queue.ReadAsync(cts.Token));
        }

        return result;
    }

    /// <summary>A store whose reads honour cancellation and wait for a signal.</summary>
    private sealed class BlockingReadStore(Task released) : IMetricStore
    {
        private readonly InMemoryMetricStore _inner = new();

        public StoreState LoadState() => _inner.LoadState();

        public Task AppendAsync(IReadOnlyList<TrainInsightEvent> events, CancellationToken cancellationToken = default) => _inner.AppendAsync(events, cancellationToken);

        public async Task<IReadOnlyList<TrainInsightEvent>> ReadEventsAsync(long afterOffset, int limit, string? runId = null, CancellationToken cancellationToken = default)
        {
            await released.WaitAsync(cancellationToken);
            return await _inner.ReadEventsAsync(afterOffset, limit, runId, cancellationToken);
        }

        public Task<IReadOnlyList<StoredRun>> GetRunsAsync(int limit, CancellationToken cancellationToken = default) => _inner.GetRunsAsync(limit, cancellationToken);

        public Task<StoredRun?> GetRunAsync(string runId, CancellationToken cancellationToken = default) => _inner.GetRunAsync(runId, cancellationToken);

        public Task<IReadOnlyList<MetricPoint>> GetMetricsAsync(MetricQuery query, CancellationToken cancellationToken = default) => _inner.GetMetricsAsync(query, cancellationToken);

        public Task<IReadOnlyList<ControlRecord>> GetCommandsAsync(string runId, CancellationToken cancellationToken = default) => _inner.GetCommandsAsync(runId, cancellationToken);

        public Task<IReadOnlyList<FindingEvent>> GetFindingsAsync(FindingQuery query, CancellationToken cancellationToken = default) => _inner.GetFindingsAsync(query, cancellationToken);

        public Task<IReadOnlyList<ProposalEvent>> GetProposalsAsync(ProposalQuery query, CancellationToken cancellationToken = default) => _inner.GetProposalsAsync(query, cancellationToken);

        public Task<IReadOnlyList<ProposalEvent>> GetProposalHistoryAsync(string proposalId, CancellationToken cancellationToken = default) => _inner.GetProposalHistoryAsync(proposalId, cancellationToken);

        public Task AppendConversationAsync(IReadOnlyList<ConversationMessage> messages, CancellationToken cancellationToken = default) =>
            _inner.AppendConversationAsync(messages, cancellationToken);

        public Task<IReadOnlyList<ConversationMessage>> GetConversationAsync(string runId, string conversationId, int limit, CancellationToken cancellationToken = default) =>
            _inner.GetConversationAsync(runId, conversationId, limit, cancellationToken);

        public void Dispose()
        {
        }
    }

    private static SubscriberQueue NewQueue(int capacity, string? runId, IReadOnlyCollection<string>? metricNames, Action<long>? onDropped) =>
        new(capacity, EventFilter.Create(runId, metricNames), onDropped);
}
