using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Bus;

public class TelemetryBusTests
{
    private static readonly RunDescriptor s_runA = new("run-a");
    private static readonly RunDescriptor s_runB = new("run-b");

    [Fact]
    public void TryPublish_NullTwicePublishedOrDisposed_ReturnsFalseWithoutThrowingAndCountsRejected()
    {
        var bus = TelemetryBus.Create();
        var published = Metric(s_runA, 0);

        bus.TryPublish(null!).Should().BeFalse();
        bus.TryPublish(published).Should().BeTrue();
        bus.TryPublish(published).Should().BeFalse();
        bus.Dispose();
        bus.TryPublish(Metric(s_runA, 1)).Should().BeFalse();

        var stats = bus.GetStatistics();
        stats.Published.Should().Be(1);
        stats.Rejected.Should().Be(3);
        stats.Dispatched.Should().Be(1, "the twice-published instance is dispatched once and Dispose drains it");
    }

    [Fact]
    public async Task TryPublish_GapEvent_RejectedAndNeverDelivered()
    {
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe();

        bus.TryPublish(new GapEvent(s_runA, 1, 1, 1, 1)).Should().BeFalse();
        bus.TryPublish(Metric(s_runA, 0)).Should().BeTrue();

        (await ReadAsync(subscription, 1))[0].Should().BeOfType<MetricEvent>().Which.Offset.Should().Be(1);
        bus.GetStatistics().Should().BeEquivalentTo(new { Published = 1L, Rejected = 1L });
    }

    [Fact]
    public void TryPublish_EventAlreadyPublishedOnAnotherBus_Rejected()
    {
        using var first = TelemetryBus.Create();
        using var second = TelemetryBus.Create();
        var e = Metric(s_runA, 0);

        first.TryPublish(e).Should().BeTrue();

        second.TryPublish(e).Should().BeFalse();
        second.GetStatistics().Rejected.Should().Be(1);
    }

    [Fact]
    public async Task TryPublish_WhileAnotherThreadDisposes_NeverThrows()
    {
        for (var round = 0; round < 200; round++)
        {
            var bus = TelemetryBus.Create(new TrainInsightOptions { IngestCapacity = 16 });
            using var go = new ManualResetEventSlim();
            var publishers = Enumerable.Range(0, 2).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    go.Wait();
                    var accepted = true;
                    for (var i = 0; accepted || i < 1_000; i++)
                    {
                        accepted = bus.TryPublish(Metric(s_runA, i));
                    }
                },
                TaskCreationOptions.LongRunning)).ToArray();

            go.Set();
            Thread.Yield();
            bus.Dispose();

            // Rethrows what a publisher threw (an ObjectDisposedException, say).
            await Task.WhenAll(publishers).WaitAsync(Patience);
        }
    }

    [Fact]
    public async Task TryPublish_SameInstanceTwice_DispatchesItOnce()
    {
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe();
        var first = Metric(s_runA, 0);

        bus.TryPublish(first).Should().BeTrue();
        bus.TryPublish(first).Should().BeFalse();
        bus.TryPublish(Metric(s_runA, 1)).Should().BeTrue();

        var received = await ReadAsync(subscription, 2);
        received[0].Should().BeSameAs(first);
        received[1].Should().NotBeSameAs(first);
        received.Select(e => e.Sequence).Should().Equal(1, 2);
    }

    [Fact]
    public async Task TryPublish_OneThread_SubscriberReceivesSameInstancesInOrder()
    {
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe();
        var events = Enumerable.Range(0, 500).Select(i => Metric(s_runA, i)).ToList();

        foreach (var e in events)
        {
            bus.TryPublish(e).Should().BeTrue();
        }

        var received = await ReadAsync(subscription, events.Count);
        received.Should().Equal(events, ReferenceEquals);
        received.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
        received.Select(e => e.Sequence).Should().Equal(Enumerable.Range(1, events.Count).Select(i => (long)i));
    }

    [Fact]
    public async Task TryPublish_TwoRunsInterleavedFromSeveralThreads_SequencesContiguousPerRunAndOffsetsIncreasing()
    {
        const int Threads = 4;
        const int PerThread = 5_000;
        const int Total = Threads * PerThread;
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe(new SubscriptionOptions { Capacity = Total });
        using var start = new Barrier(Threads);

        var publishers = Enumerable.Range(0, Threads).Select(thread => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < PerThread; i++)
                {
                    var run = i % 2 == 0 ? s_runA : s_runB;
                    var e = new MetricEvent(run, i, new Dictionary<string, double> { ["thread"] = thread });
                    if (!bus.TryPublish(e))
                    {
                        throw new InvalidOperationException("TryPublish rejected a fresh event.");
                    }
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default)).ToArray();
        await Task.WhenAll(publishers).WaitAsync(Patience);

        var received = await ReadAsync(subscription, Total);

        bus.GetStatistics().DroppedAtIngest.Should().Be(0);
        subscription.DroppedCount.Should().Be(0);
        received.Select(e => e.Offset).Should().Equal(Enumerable.Range(1, Total).Select(i => (long)i));
        foreach (var run in new[] { s_runA, s_runB })
        {
            received.Where(e => e.RunId == run.Id).Select(e => e.Sequence)
                .Should().Equal(Enumerable.Range(1, Total / 2).Select(i => (long)i), "run {0} must be numbered 1..n without gaps", run.Id);
        }

        // Each producer's own events keep their order.
        foreach (var group in received.Cast<MetricEvent>().GroupBy(e => (e.RunId, Thread: e.Values["thread"])))
        {
            group.Select(e => e.Step).Should().BeInAscendingOrder().And.HaveCount(PerThread / 2);
        }
    }

    [Fact]
    public async Task Subscribe_AfterOffsetWhilePublisherRuns_ReplayJoinsLiveWithoutDuplicatesOrHoles()
    {
        // The publisher may run Burst events ahead of the subscriptions made so far; each subscription is made halfway
        // through a burst, so the dispatcher is busy while the subscriber resumes. No timing is involved.
        const int Burst = 1_000;
        const int Resumers = 40;
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = (Resumers + 2) * Burst });
        var values = new Dictionary<string, double> { [MetricNames.TrainLoss] = 1 };
        var allowance = (long)Burst;
        using var stop = new CancellationTokenSource();
        var publisher = Task.Factory.StartNew(
            () =>
            {
                for (var step = 0L; !stop.IsCancellationRequested; step++)
                {
                    var spin = default(SpinWait);
                    while (step >= Volatile.Read(ref allowance) && !stop.IsCancellationRequested)
                    {
                        spin.SpinOnce();
                    }

                    bus.TryPublish(new MetricEvent(s_runA, step, values));
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

        var resumed = new List<(long AfterOffset, ITelemetrySubscription Subscription)>();
        for (var i = 1; i <= Resumers; i++)
        {
            var halfway = (i * Burst) - (Burst / 2);
            SpinWait.SpinUntil(() => bus.GetStatistics().LastOffset >= halfway, Patience).Should().BeTrue("the bus dispatches");
            var after = bus.GetStatistics().LastOffset - 100;
            resumed.Add((after, bus.Subscribe(new SubscriptionOptions { AfterOffset = after, Capacity = (Resumers + 2) * Burst })));
            Interlocked.Add(ref allowance, Burst);
        }

        await stop.CancelAsync();
        await publisher.WaitAsync(Patience);
        await Poll.UntilAsync(() => bus.GetStatistics() is { } s && s.Dispatched == s.Published, "the bus drained");
        var last = bus.GetStatistics().LastOffset;
        bus.GetStatistics().DroppedAtIngest.Should().Be(0);

        foreach (var (after, subscription) in resumed)
        {
            using (subscription)
            {
                subscription.DroppedCount.Should().Be(0);
                FirstBreak(DrainNow(subscription), after + 1, last).Should().BeNull("resuming after offset {0} must join live events exactly", after);
            }
        }
    }

    [Fact]
    public async Task Subscribe_AfterOffsetZero_ReplaysWholeRingThenLive()
    {
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 100 });
        for (var i = 0; i < 10; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 10, "10 events were dispatched");
        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 0, Capacity = 1 });
        bus.TryPublish(Metric(s_runA, 10));

        var received = await ReadAsync(subscription, 11);
        received.Select(e => e.Offset).Should().Equal(LongRange(1, 11));
        subscription.DroppedCount.Should().Be(0, "the replay does not count against the subscriber's capacity");
    }

    [Fact]
    public async Task Subscribe_AfterOffsetOlderThanRingWithoutStore_GapThenOldestKept()
    {
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 4 });
        for (var i = 0; i < 10; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 10, "10 events were dispatched");
        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 2 });

        var received = await ReadAsync(subscription, 5);
        var gap = received[0].Should().BeOfType<GapEvent>().Subject;
        (gap.MissedCount, gap.FirstMissedOffset, gap.LastMissedOffset).Should().Be((4L, 3L, 6L));
        received.Skip(1).Select(e => e.Offset).Should().Equal(7, 8, 9, 10);
    }

    [Fact]
    public async Task Subscribe_WithoutAfterOffset_ReceivesLiveEventsOnly()
    {
        using var bus = TelemetryBus.Create();
        bus.TryPublish(Metric(s_runA, 0));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 1, "the first event was dispatched");

        using var subscription = bus.Subscribe();
        bus.TryPublish(Metric(s_runA, 1));

        var received = await ReadAsync(subscription, 1);
        received[0].Offset.Should().Be(2);
        subscription.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Subscribe_RunId_ReceivesOnlyThatRunInReplayAndLive()
    {
        using var bus = TelemetryBus.Create();
        bus.TryPublish(Metric(s_runA, 0));
        bus.TryPublish(Metric(s_runB, 0));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 2, "2 events were dispatched");

        using var subscription = bus.Subscribe(new SubscriptionOptions { RunId = s_runB.Id, AfterOffset = 0 });
        bus.TryPublish(Metric(s_runA, 1));
        bus.TryPublish(Metric(s_runB, 1));
        bus.TryPublish(Metric(s_runA, 2));
        bus.TryPublish(Metric(s_runB, 2));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 6, "6 events were dispatched");

        var received = await ReadAsync(subscription, 3);
        received.Should().OnlyContain(e => e.RunId == s_runB.Id);
        received.Select(e => e.Sequence).Should().Equal(1, 2, 3);
        received.Select(e => e.Offset).Should().Equal(2, 4, 6);
        subscription.Reader.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task TryPublish_SubscriberNeverReads_PublisherUnaffectedAndLostEventsCountedExactly()
    {
        const int Capacity = 100;
        const int Total = 5_000;
        using var bus = TelemetryBus.Create(new TrainInsightOptions { SubscriberCapacity = Capacity });
        using var stalled = bus.Subscribe();
        using var reader = bus.Subscribe(new SubscriptionOptions { Capacity = Total });

        for (var i = 0; i < Total; i++)
        {
            bus.TryPublish(Metric(s_runA, i)).Should().BeTrue();
        }

        var all = await ReadAsync(reader, Total);
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == Total, "every event was dispatched");

        all.Select(e => e.Offset).Should().Equal(LongRange(1, Total), "a stalled subscriber must not cost others anything");
        reader.DroppedCount.Should().Be(0);
        stalled.DroppedCount.Should().Be(Total - Capacity);
        var stats = bus.GetStatistics();
        stats.DroppedAtSubscribers.Should().Be(Total - Capacity);
        stats.DroppedAtIngest.Should().Be(0);
        stats.Published.Should().Be(Total);
        var drained = DrainNow(stalled);
        var gap = drained[0].Should().BeOfType<GapEvent>("the lost events are reported where they were lost").Subject;
        (gap.MissedCount, gap.FirstMissedOffset, gap.LastMissedOffset, gap.FirstMissedSequence).Should().Be((Total - Capacity, 1L, (long)(Total - Capacity), 1L));
        drained.Skip(1).Select(e => e.Offset).Should().Equal(LongRange(Total - Capacity + 1, Total), "the oldest are dropped, the newest kept");
    }

    [Fact]
    public async Task Dispose_AfterPublishing_DeliversPublishedEventsThenCompletesSubscriptions()
    {
        var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe(new SubscriptionOptions { Capacity = 1_000 });
        for (var i = 0; i < 1_000; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        bus.Dispose();

        using var cts = new CancellationTokenSource(Patience);
        var received = new List<TrainInsightEvent>();
        await foreach (var e in subscription.Reader.ReadAllAsync(cts.Token))
        {
            received.Add(e);
        }

        received.Should().HaveCount(1_000);
        subscription.Reader.Completion.IsCompleted.Should().BeTrue();
    }

    [Fact]
    public void Subscribe_AfterDispose_ThrowsObjectDisposedException()
    {
        var bus = TelemetryBus.Create();
        bus.Dispose();

        bus.Invoking(b => b.Subscribe()).Should().Throw<ObjectDisposedException>();
    }

    [Fact]
    public async Task SubscriptionDispose_Always_UnsubscribesAndCompletesReader()
    {
        using var bus = TelemetryBus.Create();
        var subscription = bus.Subscribe();
        bus.GetStatistics().Subscribers.Should().Be(1);

        subscription.Dispose();
        subscription.Dispose();
        bus.TryPublish(Metric(s_runA, 0));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 1, "the event was dispatched");

        bus.GetStatistics().Subscribers.Should().Be(0);
        await subscription.Reader.Completion.WaitAsync(Patience);
        subscription.DroppedCount.Should().Be(0);
        bus.GetStatistics().DroppedAtSubscribers.Should().Be(0);
    }

    [Fact]
    public async Task GetHistory_MoreEventsThanCapacity_KeepsNewestAndFiltersByOffset()
    {
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 5 });
        for (var i = 0; i < 12; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 12, "12 events were dispatched");

        bus.GetHistory().Select(e => e.Offset).Should().Equal(8, 9, 10, 11, 12);
        bus.GetHistory(10).Select(e => e.Offset).Should().Equal(11, 12);
        bus.GetHistory(12).Should().BeEmpty();
    }

    [Fact]
    public async Task GetCurrent_MetricAndTrainingEvents_MergesMetricValuesAndTracksState()
    {
        using var bus = TelemetryBus.Create();
        bus.TryPublish(new TrainingEvent(s_runA, TrainingEventKind.RunStarted) { State = RunState.Training, Step = 0 });
        bus.TryPublish(new MetricEvent(s_runA, 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 2.0, [MetricNames.LearningRate] = 0.1 }) { Epoch = 1, Batch = 1 });
        bus.TryPublish(new MetricEvent(s_runA, 2, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1.5 }) { Batch = 2 });
        bus.TryPublish(new TrainingEvent(s_runA, TrainingEventKind.EpochCompleted) { Epoch = 1, Metrics = new Dictionary<string, double> { [MetricNames.ValAccuracy] = 0.75, [MetricNames.TrainLoss] = 1.9 } });
        bus.TryPublish(new TrainingEvent(s_runA, TrainingEventKind.ControlApplied) { State = RunState.Paused });
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 5, "5 events were dispatched");

        var paused = bus.GetCurrent(s_runA.Id);

        paused.Should().NotBeNull();
        paused!.Run.Should().BeSameAs(s_runA);
        paused.State.Should().Be(RunState.Paused);
        paused.Step.Should().Be(2);
        paused.Epoch.Should().Be(1);
        paused.Batch.Should().Be(2);
        paused.Sequence.Should().Be(5);
        paused.Offset.Should().Be(5);
        paused.Values.Should().BeEquivalentTo(new Dictionary<string, double>
        {
            [MetricNames.TrainLoss] = 1.5,
            [MetricNames.LearningRate] = 0.1,
        }, "a training event's metrics are summaries (the epoch's mean loss) and do not replace measured values");

        var finished = new TrainingEvent(s_runA, TrainingEventKind.RunFinished) { State = RunState.Completed, Step = 3 };
        bus.TryPublish(finished);
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 6, "6 events were dispatched");

        var completed = bus.GetCurrent(s_runA.Id)!;
        completed.State.Should().Be(RunState.Completed);
        completed.Step.Should().Be(3);
        completed.Timestamp.Should().Be(finished.Timestamp);
        paused.State.Should().Be(RunState.Paused, "a snapshot does not change afterwards");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetCurrent_EventsBringing20Then40Then70Names_KeepsEveryLatestValue(bool readOnlyWrapper)
    {
        // The run tracker starts with 16 value slots: the 17th, 33rd and 65th new names make it grow.
        using var bus = TelemetryBus.Create();
        var step = 0;
        foreach (var names in new[] { 20, 40, 70 })
        {
            var values = Enumerable.Range(0, names).ToDictionary(i => $"metric_{i:D2}", i => (step * 1000.0) + i, StringComparer.Ordinal);
            bus.TryPublish(new MetricEvent(s_runA, step++, readOnlyWrapper ? new System.Collections.ObjectModel.ReadOnlyDictionary<string, double>(values) : values));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 3, "3 events were dispatched");

        var current = bus.GetCurrent(s_runA.Id)!;
        current.Values.Should().HaveCount(70);
        current.Values.Should().BeEquivalentTo(Enumerable.Range(0, 70).ToDictionary(i => $"metric_{i:D2}", i => 2000.0 + i));
        bus.GetStatistics().SnapshotErrors.Should().Be(0);
    }

    [Fact]
    public async Task Dispatch_ValuesThatThrowWhenEnumerated_EventStillDeliveredAndBusKeepsWorking()
    {
        var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe();
        var broken = new MetricEvent(s_runA, 1, new ThrowingValues());
        var next = new MetricEvent(s_runA, 2, new Dictionary<string, double> { [MetricNames.TrainLoss] = 0.5 });

        bus.TryPublish(broken).Should().BeTrue();
        bus.TryPublish(next).Should().BeTrue();
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 2, "both events were dispatched");

        bus.GetStatistics().SnapshotErrors.Should().Be(1);
        subscription.Reader.TryRead(out var first).Should().BeTrue();
        first.Should().BeSameAs(broken);
        subscription.Reader.TryRead(out var second).Should().BeTrue();
        second.Should().BeSameAs(next);
        bus.GetCurrent(s_runA.Id)!.Values[MetricNames.TrainLoss].Should().Be(0.5);
        bus.Invoking(b => b.Dispose()).Should().NotThrow();
    }

    private sealed class ThrowingValues : IReadOnlyDictionary<string, double>
    {
        public double this[string key] => throw new KeyNotFoundException(key);

        public IEnumerable<string> Keys => [];

        public IEnumerable<double> Values => [];

        public int Count => 1;

        public bool ContainsKey(string key) => false;

        public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => throw new ArgumentOutOfRangeException("index", "torn read");

        public bool TryGetValue(string key, out double value)
        {
            value = 0;
            return false;
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    [Fact]
    public async Task GetCurrent_NullRunId_ReturnsRunThatPublishedLast()
    {
        using var bus = TelemetryBus.Create();
        bus.GetCurrent().Should().BeNull();

        bus.TryPublish(Metric(s_runA, 0, loss: 1));
        bus.TryPublish(Metric(s_runB, 0, loss: 2));
        bus.TryPublish(Metric(s_runA, 1, loss: 3));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 3, "3 events were dispatched");

        bus.GetCurrent()!.Run.Should().BeSameAs(s_runA);
        bus.GetCurrent()!.Values[MetricNames.TrainLoss].Should().Be(3);
        bus.GetCurrent(s_runB.Id)!.Values[MetricNames.TrainLoss].Should().Be(2);
        bus.GetCurrent(s_runB.Id)!.Sequence.Should().Be(1);
        bus.GetCurrent("unknown").Should().BeNull();
    }

    [Fact]
    public async Task GetStatistics_AfterDispatch_ReportsCountersAndLastOffset()
    {
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe();
        for (var i = 0; i < 3; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 3, "3 events were dispatched");

        bus.GetStatistics().Should().BeEquivalentTo(new BusStatistics
        {
            Published = 3,
            Rejected = 0,
            DroppedAtIngest = 0,
            Dispatched = 3,
            DroppedAtSubscribers = 0,
            Subscribers = 1,
            LastOffset = 3,
        });
    }

    /// <summary>Describes where <paramref name="events"/> stop being exactly the offsets first..last, or null when they are.</summary>
    private static string? FirstBreak(List<TrainInsightEvent> events, long first, long last)
    {
        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Offset != first + i)
            {
                return $"expected offset {first + i} at index {i} but got {events[i].Offset} (a {(events[i].Offset < first + i ? "duplicate" : "hole")})";
            }
        }

        return events.Count == last - first + 1 ? null : $"expected {last - first + 1} events but got {events.Count}";
    }
}
