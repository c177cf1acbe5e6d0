using TrainInsight.Tests.Storage;
using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Bus;

/// <summary>The bus with an <see cref="IMetricStore"/>: the store writer, replay from the store, restart recovery.</summary>
public class TelemetryBusStoreTests
{
    private static readonly RunDescriptor s_runA = new("run-a");
    private static readonly RunDescriptor s_runB = new("run-b");
    private static readonly RunDescriptor s_runC = new("run-c");

    private static TrainInsightOptions Fast(int history = 4) => new() { HistoryCapacity = history, StoreFlushInterval = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public async Task WaitToReadAsync_WaitsCancelledDuringASlowStoreRead_ReadIsNotRestartedAndReplayCompletes()
    {
        // A streaming endpoint cancels its waits for heartbeats; a store page slower than that must still finish.
        var store = new FakeMetricStore();
        using var bus = TelemetryBus.Create(Fast(history: 4), store);
        await PublishAsync(bus, 20);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 20, "the store holds every event");
        store.ReadDelay = TimeSpan.FromMilliseconds(300);
        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 0 });
        var readsBefore = store.ReadCalls;

        var cancelledWaits = 0;
        var received = new List<TrainInsightEvent>();
        var deadline = DateTime.UtcNow + Patience;
        while (received.Count < 20 && DateTime.UtcNow < deadline)
        {
            using var heartbeat = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
            try
            {
                if (await subscription.Reader.WaitToReadAsync(heartbeat.Token))
                {
                    received.AddRange(DrainNow(subscription));
                }
            }
            catch (OperationCanceledException)
            {
                cancelledWaits++;
            }
        }

        received.Select(e => e.Offset).Should().Equal(LongRange(1, 20));
        cancelledWaits.Should().BeGreaterThan(2, "each 300 ms read outlasted several 50 ms waits");
        (store.ReadCalls - readsBefore).Should().Be(1, "one page holds the whole range, and a cancelled wait does not restart its read");
    }

    [Fact]
    public async Task TryPublish_ValuesThatThrowWhenEnumeratedWithNameFilteredSubscriber_BusKeepsDispatching()
    {
        using var bus = TelemetryBus.Create();
        using var filtered = bus.Subscribe(new SubscriptionOptions { MetricNames = [MetricNames.TrainLoss] });

        bus.TryPublish(new MetricEvent(s_runA, 1, new ThrowingValues())).Should().BeTrue();
        bus.TryPublish(Metric(s_runA, 2)).Should().BeTrue();

        (await ReadAsync(filtered, 2)).Select(e => e.Sequence).Should().Equal(1, 2);
        bus.GetStatistics().Dispatched.Should().Be(2);
    }

    [Fact]
    public async Task Subscribe_AfterOffsetOlderThanRingWithStoreCaughtUp_StoreThenRingThenLiveWithoutDuplicatesOrHoles()
    {
        var store = new InMemoryMetricStore();
        using var bus = TelemetryBus.Create(Fast(history: 100), store);
        await PublishAsync(bus, 1_200);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 1_200, "the store caught up");

        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 5, Capacity = 10 });
        await PublishAsync(bus, 5);

        var received = await ReadAsync(subscription, 1_200);
        received.Should().NotContain(e => e is GapEvent);
        received.Select(e => e.Offset).Should().Equal(LongRange(6, 1_205), "1,095 from the store (three pages), 100 from the ring, 5 live");
        subscription.DroppedCount.Should().Be(0);
        DrainNow(subscription).Should().BeEmpty();
    }

    [Fact]
    public async Task Subscribe_AfterOffsetOlderThanRingWithStoreBehind_GapForWhatTheStoreLacksThenRing()
    {
        // The store writer waits a minute before its first write: nothing is stored when the subscriber reads.
        var store = new FakeMetricStore();
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 4, StoreFlushInterval = TimeSpan.FromMinutes(1) }, store);
        await PublishAsync(bus, 20);

        bus.GetStatistics().StoredOffset.Should().Be(0);
        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 3 });
        await PublishAsync(bus, 1);

        (await ReadAsync(subscription, 6)).Select(Describe).Should().Equal("gap(13,4..16,s0)", "17", "18", "19", "20", "21");
        store.ReadCalls.Should().Be(1);
    }

    [Fact]
    public async Task Subscribe_RunFilteredAfterOffsetOlderThanRing_ThatRunFromStoreThenRing()
    {
        var store = new InMemoryMetricStore();
        using var bus = TelemetryBus.Create(Fast(), store);
        await PublishTwoRunsAsync(bus, 20);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 20, "the store caught up");

        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 3, RunId = s_runB.Id });
        bus.TryPublish(Metric(s_runA, 0));
        bus.TryPublish(Metric(s_runB, 0));

        var received = await ReadAsync(subscription, 10);
        received.Should().OnlyContain(e => e.RunId == s_runB.Id && e is MetricEvent);
        received.Select(e => e.Offset).Should().Equal(4, 6, 8, 10, 12, 14, 16, 18, 20, 22);
        received.Select(e => e.Sequence).Should().Equal(LongRange(2, 11));
    }

    [Fact]
    public async Task Subscribe_StoreLacksARange_GapCoversExactlyTheMissingOffsets()
    {
        var store = new FakeMetricStore { ReadFilter = (events, _, _) => [.. events.Where(e => e.Offset is not (>= 8 and <= 10))] };
        using var bus = TelemetryBus.Create(Fast(), store);
        await PublishAsync(bus, 20);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 20, "the store caught up");

        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 3 });

        (await ReadAsync(subscription, 15)).Select(Describe).Should().Equal(
            "4", "5", "6", "7", "gap(3,8..10,s0)", "11", "12", "13", "14", "15", "16", "17", "18", "19", "20");
    }

    [Fact]
    public async Task Subscribe_StoreThrowsOnRead_GapForTheWholeRangeThenRing()
    {
        var store = new FakeMetricStore { ReadFilter = (_, _, _) => throw new IOException("disk gone") };
        using var bus = TelemetryBus.Create(Fast(), store);
        await PublishAsync(bus, 20);

        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 3 });

        (await ReadAsync(subscription, 5)).Select(Describe).Should().Equal("gap(13,4..16,s0)", "17", "18", "19", "20");
        bus.GetStatistics().StoreErrors.Should().Be(1, "the failed read is counted (and logged once), not swallowed");
    }

    [Fact]
    public async Task Subscribe_RunFilteredAndStoreLacksThatRunsLatestEvents_GapBeforeTheRing()
    {
        // B at even offsets; the store lost B's events at offsets 14 and 16 (sequences 7 and 8), the last before the ring.
        var store = new FakeMetricStore { ReadFilter = (events, _, _) => [.. events.Where(e => e.Offset is not (14 or 16))] };
        using var bus = TelemetryBus.Create(Fast(), store);
        await PublishTwoRunsAsync(bus, 20);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 20, "the store caught up");

        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 3, RunId = s_runB.Id });

        var received = await ReadAsync(subscription, 8);
        received.Select(e => e is GapEvent g ? $"gap({g.MissedCount},s{g.FirstMissedSequence})" : e.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Should().Equal("4", "6", "8", "10", "12", "gap(2,s7)", "18", "20");
        var gap = (GapEvent)received[5];
        gap.FirstMissedOffset.Should().BeInRange(13, 14);
        gap.LastMissedOffset.Should().BeInRange(16, 17);
        gap.RunId.Should().Be(s_runB.Id);
    }

    [Fact]
    public async Task Subscribe_RunFilteredAndStoreThrowsOnRead_GapThenRing()
    {
        var store = new FakeMetricStore { ReadFilter = (_, _, _) => throw new IOException("disk gone") };
        using var bus = TelemetryBus.Create(Fast(), store);
        await PublishTwoRunsAsync(bus, 20);

        using var subscription = bus.Subscribe(new SubscriptionOptions { AfterOffset = 3, RunId = s_runB.Id });

        var received = await ReadAsync(subscription, 3);
        var gap = received[0].Should().BeOfType<GapEvent>("a subscriber must learn that it cannot have what it asked for").Subject;
        (gap.FirstMissedOffset, gap.LastMissedOffset).Should().Be((4L, 16L));
        gap.RunId.Should().Be(s_runB.Id);
        received.Skip(1).Select(e => e.Offset).Should().Equal(18, 20);
    }

    [Fact]
    public async Task StoreWriter_ManyEvents_AppendsInOffsetOrderInBatches()
    {
        const int Total = 2_000;
        var store = new FakeMetricStore();
        using var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMilliseconds(100) }, store);

        await PublishAsync(bus, Total);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == Total, "the store caught up");

        var batches = store.Batches;
        batches.SelectMany(b => b).Select(e => e.Offset).Should().Equal(LongRange(1, Total));
        batches.Count.Should().BeLessThan(Total / 10, "events are written in batches, not one by one");
        bus.GetStatistics().Should().BeEquivalentTo(new { StoreErrors = 0L, DroppedAtStore = 0L, StoredOffset = (long)Total });
    }

    [Fact]
    public async Task StoreWriter_OffsetsAdvance_StoredOffsetFollows()
    {
        using var bus = TelemetryBus.Create(Fast(), new InMemoryMetricStore());

        await PublishAsync(bus, 5);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 5, "5 events were stored");
        await PublishAsync(bus, 5);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 10, "10 events were stored");
    }

    [Fact]
    public async Task StoreWriter_AppendThrowsThreeTimesThenSucceeds_LosesNothingAndCountsErrors()
    {
        var store = new FakeMetricStore { BeforeAppend = attempt => _ = attempt <= 3 ? throw new IOException("disk full") : 0 };
        using var bus = TelemetryBus.Create(Fast(), store);

        // Published once, and nothing after: the writer must retry on its own.
        await PublishAsync(bus, 50);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 50, "the failed batch was retried");

        (await store.Inner.ReadEventsAsync(0, 1_000)).Select(e => e.Offset).Should().Equal(LongRange(1, 50));
        var stats = bus.GetStatistics();
        stats.StoreErrors.Should().Be(3);
        stats.DroppedAtStore.Should().Be(0);
    }

    [Fact]
    public async Task StoreWriter_AppendFailsThenMoreEvents_FailedBatchWrittenBeforeTheNewOnes()
    {
        var failing = 1;
        var store = new FakeMetricStore { BeforeAppend = _ => _ = Volatile.Read(ref failing) == 1 ? throw new IOException("disk full") : 0 };
        using var bus = TelemetryBus.Create(Fast(), store);

        await PublishAsync(bus, 10);
        await Poll.UntilAsync(() => bus.GetStatistics().StoreErrors >= 1, "a write failed");
        Volatile.Write(ref failing, 0);
        await PublishAsync(bus, 10);
        await Poll.UntilAsync(() => bus.GetStatistics().StoredOffset == 20, "everything was stored");

        store.Batches.SelectMany(b => b).Select(e => e.Offset).Should().Equal(LongRange(1, 20));
    }

    [Fact]
    public async Task Dispose_StoreFlushIntervalLong_FlushesEverythingPublishedBefore()
    {
        var store = new FakeMetricStore();
        var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMinutes(1) }, store);
        for (var i = 0; i < 500; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        bus.Dispose();

        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        store.Batches.SelectMany(b => b).Select(e => e.Offset).Should().Equal(LongRange(1, 500));
        bus.GetStatistics().StoredOffset.Should().Be(500);
        await Task.CompletedTask;
    }

    [Fact]
    public void Dispose_StoreAlwaysFails_ReturnsAndCountsTheLostEvents()
    {
        var store = new FakeMetricStore { BeforeAppend = _ => throw new IOException("read-only") };
        var bus = TelemetryBus.Create(new TrainInsightOptions { StoreFlushInterval = TimeSpan.FromMinutes(1) }, store);
        for (var i = 0; i < 10; i++)
        {
            bus.TryPublish(Metric(s_runA, i));
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        bus.Dispose();

        started.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(5));
        var stats = bus.GetStatistics();
        stats.StoreErrors.Should().BeGreaterThanOrEqualTo(1);
        stats.DroppedAtStore.Should().Be(10);
        stats.StoredOffset.Should().Be(0);
    }

    [Fact]
    public async Task Create_StoreStateWithOffsetsAndSequences_ContinuesThemAndNewRunsStartAtOne()
    {
        var store = new FakeMetricStore
        {
            LoadStateCallback = () => new StoreState { LastOffset = 100, LastSequences = new Dictionary<string, long> { [s_runA.Id] = 40, [s_runB.Id] = 60 } },
        };
        using var bus = TelemetryBus.Create(Fast(), store);
        using var subscription = bus.Subscribe();

        bus.GetStatistics().Should().BeEquivalentTo(new { LastOffset = 100L, StoredOffset = 100L, StoreErrors = 0L });
        bus.TryPublish(Metric(s_runA, 0));
        bus.TryPublish(Metric(s_runB, 0));
        bus.TryPublish(Metric(s_runC, 0));
        bus.TryPublish(Metric(s_runA, 1));

        var received = await ReadAsync(subscription, 4);
        received.Select(e => (e.RunId, e.Offset, e.Sequence)).Should().Equal(
            (s_runA.Id, 101L, 41L), (s_runB.Id, 102L, 61L), (s_runC.Id, 103L, 1L), (s_runA.Id, 104L, 42L));
    }

    [Fact]
    public async Task Create_SameStoreAfterRestart_ContinuesAndReplaysTheEarlierBusFromTheStore()
    {
        var store = new InMemoryMetricStore();
        using (var first = TelemetryBus.Create(Fast(), store))
        {
            await PublishTwoRunsAsync(first, 10);
        }

        using var second = TelemetryBus.Create(Fast(), store);
        using var subscription = second.Subscribe(new SubscriptionOptions { AfterOffset = 0 });
        second.TryPublish(Metric(s_runB, 0));

        var received = await ReadAsync(subscription, 11);
        received.Select(e => e.Offset).Should().Equal(LongRange(1, 11));
        received[^1].Sequence.Should().Be(6, "run B published 5 events before the restart");
    }

    [Fact]
    public async Task Create_StoreLoadStateThrows_RunsWithoutStoreFromOneAndCountsOneStoreError()
    {
        var store = new FakeMetricStore { LoadStateCallback = () => throw new IOException("corrupt") };
        using var bus = TelemetryBus.Create(Fast(), store);
        using var subscription = bus.Subscribe();

        bus.TryPublish(Metric(s_runA, 0));
        bus.TryPublish(Metric(s_runA, 1));

        (await ReadAsync(subscription, 2)).Select(e => (e.Offset, e.Sequence)).Should().Equal((1L, 1L), (2L, 2L));
        await Task.Delay(Fast().StoreFlushInterval * 5);
        store.AppendAttempts.Should().Be(0, "numbering from 1 over a store whose state is unknown would collide with what it holds");
        bus.GetStatistics().StoreErrors.Should().Be(1);
    }

    private static async Task PublishAsync(ITelemetryBus bus, int count)
    {
        var target = bus.GetStatistics().Dispatched + count;
        for (var i = 0; i < count; i++)
        {
            bus.TryPublish(Metric(s_runA, i)).Should().BeTrue();
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == target, $"{target} events were dispatched");
    }

    /// <summary>Publishes A, B, A, B...: on a new bus A gets the odd offsets and B the even ones.</summary>
    private static async Task PublishTwoRunsAsync(ITelemetryBus bus, int count)
    {
        var target = bus.GetStatistics().Dispatched + count;
        for (var i = 0; i < count; i++)
        {
            bus.TryPublish(Metric(i % 2 == 0 ? s_runA : s_runB, i / 2)).Should().BeTrue();
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == target, $"{target} events were dispatched");
    }

    /// <summary>Values whose enumeration throws, as a dictionary changed after publishing would.</summary>
    private sealed class ThrowingValues : IReadOnlyDictionary<string, double>
    {
        public double this[string key] => throw new InvalidOperationException("Collection was modified.");

        public IEnumerable<string> Keys => throw new InvalidOperationException("Collection was modified.");

        public IEnumerable<double> Values => throw new InvalidOperationException("Collection was modified.");

        public int Count => 1;

        public bool ContainsKey(string key) => false;

        public bool TryGetValue(string key, out double value) => throw new InvalidOperationException("Collection was modified.");

        public IEnumerator<KeyValuePair<string, double>> GetEnumerator() => throw new InvalidOperationException("Collection was modified.");

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
