using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Bus;

/// <summary>What a subscriber that falls behind, or filters, receives.</summary>
public class TelemetryBusGapTests
{
    private static readonly RunDescriptor s_runA = new("run-a");
    private static readonly RunDescriptor s_runB = new("run-b");

    [Fact]
    public async Task Subscribe_SlowReaderOverSeveralReadAndBurstCycles_OneExactGapPerContiguousLoss()
    {
        using var bus = TelemetryBus.Create(new TrainInsightOptions { SubscriberCapacity = 3 });
        using var subscription = bus.Subscribe();
        var received = new List<TrainInsightEvent>();

        await PublishAsync(bus, 5, s_runA);                // 1..5: 1, 2 lost
        received.AddRange(TryRead(subscription, 2));       // gap, 3; 4, 5 now in the reader's hands
        await PublishAsync(bus, 5, s_runA);                // 6..10: 6, 7 lost
        received.AddRange(DrainNow(subscription));
        await PublishAsync(bus, 2, s_runA);                // 11, 12: nothing lost
        received.AddRange(DrainNow(subscription));
        await PublishAsync(bus, 8, s_runA);                // 13..20: 13..17 lost
        received.AddRange(DrainNow(subscription));

        received.Select(Describe).Should().Equal(
            "gap(2,1..2,s1)", "3", "4", "5", "gap(2,6..7,s6)", "8", "9", "10", "11", "12", "gap(5,13..17,s13)", "18", "19", "20");
        var gapTotal = received.OfType<GapEvent>().Sum(g => g.MissedCount);
        gapTotal.Should().Be(9);
        subscription.DroppedCount.Should().Be(gapTotal);
        bus.GetStatistics().DroppedAtSubscribers.Should().Be(gapTotal);
        received.OfType<GapEvent>().Should().OnlyContain(g => g.Offset == 0 && g.Sequence == 0 && g.RunId == s_runA.Id);
    }

    [Fact]
    public async Task Subscribe_RunFilterAndSlowReader_GapCountsOnlyThatRun()
    {
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe(new SubscriptionOptions { RunId = s_runB.Id, Capacity = 2 });

        // A1 B1 A2 B2 A3 B3 B4 at offsets 1..7: B at 2, 4, 6, 7.
        foreach (var run in new[] { s_runA, s_runB, s_runA, s_runB, s_runA, s_runB, s_runB })
        {
            bus.TryPublish(Metric(run, 0));
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 7, "7 events were dispatched");

        var received = DrainNow(subscription);
        received.Select(Describe).Should().Equal("gap(2,2..4,s1)", "6", "7");
        received.Should().OnlyContain(e => e.RunId == s_runB.Id);
        received.Skip(1).Select(e => e.Sequence).Should().Equal(3, 4);
        subscription.DroppedCount.Should().Be(2);
        bus.GetStatistics().DroppedAtSubscribers.Should().Be(2);
    }

    [Fact]
    public async Task Subscribe_MetricNameFilter_SkipsOtherMetricsKeepsTrainingEvents()
    {
        using var bus = TelemetryBus.Create();
        using var all = bus.Subscribe(new SubscriptionOptions { MetricNames = [] });
        using var filtered = bus.Subscribe(new SubscriptionOptions { MetricNames = [MetricNames.ValLoss, MetricNames.LearningRate] });

        bus.TryPublish(new MetricEvent(s_runA, 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1 }));
        bus.TryPublish(new MetricEvent(s_runA, 1, new Dictionary<string, double> { [MetricNames.TrainLoss] = 1, [MetricNames.LearningRate] = 0.1 }));
        bus.TryPublish(new TrainingEvent(s_runA, TrainingEventKind.EpochCompleted) { Metrics = new Dictionary<string, double> { ["other"] = 1 } });
        bus.TryPublish(new MetricEvent(s_runA, 2, null));
        bus.TryPublish(new MetricEvent(s_runA, 2, new SortedDictionary<string, double> { [MetricNames.ValLoss] = 0.5 }));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 5, "5 events were dispatched");

        DrainNow(filtered).Select(Describe).Should().Equal("2", "3", "5");
        DrainNow(all).Select(Describe).Should().Equal("1", "2", "3", "4", "5");
        filtered.DroppedCount.Should().Be(0);
    }

    [Fact]
    public async Task Subscribe_MetricNameFilterAndSlowReader_GapCountsOnlyMatchingEvents()
    {
        using var bus = TelemetryBus.Create();
        using var subscription = bus.Subscribe(new SubscriptionOptions { MetricNames = ["x"], Capacity = 2 });

        bus.TryPublish(new MetricEvent(s_runA, 1, new Dictionary<string, double> { ["x"] = 1 }));
        bus.TryPublish(new MetricEvent(s_runA, 2, new Dictionary<string, double> { ["y"] = 1 }));
        bus.TryPublish(new MetricEvent(s_runA, 3, new Dictionary<string, double> { ["x"] = 1 }));
        bus.TryPublish(new TrainingEvent(s_runA, TrainingEventKind.EpochCompleted));
        bus.TryPublish(new MetricEvent(s_runA, 5, new Dictionary<string, double> { ["x"] = 1 }));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 5, "5 events were dispatched");

        DrainNow(subscription).Select(Describe).Should().Equal("gap(2,1..3,s1)", "4", "5");
        bus.GetStatistics().DroppedAtSubscribers.Should().Be(2);
    }

    [Fact]
    public async Task Subscribe_RunFilteredResumeOlderThanRingWithoutStore_GapThenThatRunsRingEvents()
    {
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 4 });
        for (var i = 0; i < 9; i++)
        {
            bus.TryPublish(Metric(s_runB, i));
        }

        bus.TryPublish(Metric(s_runA, 0));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 10, "10 events were dispatched");

        using var subscription = bus.Subscribe(new SubscriptionOptions { RunId = s_runB.Id, AfterOffset = 2 });
        var received = DrainNow(subscription);

        received.Select(Describe).Should().Equal("gap(4,3..6,s0)", "7", "8", "9");
        received.Should().OnlyContain(e => e.RunId == s_runB.Id, "a subscriber of run B hears only of run B");
    }

    [Fact]
    public async Task Subscribe_RunFilteredResumeOlderThanRingWithNoneOfThatRunInTheRing_StillGetsTheGap()
    {
        using var bus = TelemetryBus.Create(new TrainInsightOptions { HistoryCapacity = 2 });
        bus.TryPublish(Metric(s_runB, 0));
        bus.TryPublish(Metric(s_runB, 1));
        bus.TryPublish(Metric(s_runA, 0));
        bus.TryPublish(Metric(s_runA, 1));
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == 4, "4 events were dispatched");

        using var subscription = bus.Subscribe(new SubscriptionOptions { RunId = s_runB.Id, AfterOffset = 0 });

        var received = DrainNow(subscription);
        received.Select(Describe).Should().Equal("gap(2,1..2,s0)");
        received[0].RunId.Should().Be(s_runB.Id);
    }

    [Fact]
    public async Task TryPublish_BurstsWhileReaderIsSlow_EveryHoleExactlyCoveredByOneGap()
    {
        const int Total = 30_000;
        using var bus = TelemetryBus.Create(new TrainInsightOptions { SubscriberCapacity = 64, IngestCapacity = Total });
        using var subscription = bus.Subscribe();

        var publisher = Task.Factory.StartNew(
            () =>
            {
                for (var i = 0; i < Total; i++)
                {
                    bus.TryPublish(Metric(i % 3 == 0 ? s_runB : s_runA, i));
                    if (i % 1_000 == 999)
                    {
                        Thread.Sleep(1); // between bursts, let the reader catch up sometimes
                    }
                }
            },
            TaskCreationOptions.LongRunning);

        var received = new List<TrainInsightEvent>();
        var reader = Task.Run(async () =>
        {
            using var cts = new CancellationTokenSource(Patience * 3);
            await foreach (var e in subscription.Reader.ReadAllAsync(cts.Token))
            {
                received.Add(e);
                if (received.Count % 50 == 0)
                {
                    Thread.SpinWait(20_000); // slow
                }
            }
        });

        await publisher.WaitAsync(Patience * 3);
        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == Total, "every event was dispatched");
        var stats = bus.GetStatistics();
        bus.Dispose(); // completes the subscription once everything dispatched is queued
        await reader.WaitAsync(Patience * 3);

        stats.DroppedAtIngest.Should().Be(0);
        AssertExactlyCovered(received, Total);
        var gaps = received.OfType<GapEvent>().ToList();
        gaps.Should().NotBeEmpty("the reader was slow on purpose");
        gaps.Sum(g => g.MissedCount).Should().Be(subscription.DroppedCount).And.Be(bus.GetStatistics().DroppedAtSubscribers);
        (received.Count - gaps.Count + gaps.Sum(g => g.MissedCount)).Should().Be(Total);
    }

    /// <summary>Offsets strictly increase, each hole is exactly one gap, and events and gaps account for 1..total.</summary>
    private static void AssertExactlyCovered(List<TrainInsightEvent> received, long total)
    {
        long next = 1;
        TrainInsightEvent? previous = null;
        for (var i = 0; i < received.Count; i++)
        {
            var e = received[i];
            if (e is GapEvent gap)
            {
                (previous is GapEvent).Should().BeFalse("two gaps in a row at index {0} should have been one", i);
                gap.FirstMissedOffset.Should().Be(next, "a gap at index {0} starts right after the last event received", i);
                gap.MissedCount.Should().Be(gap.LastMissedOffset - gap.FirstMissedOffset + 1, "an unfiltered subscriber misses every offset in the range");
                next = gap.LastMissedOffset + 1;
            }
            else
            {
                e.Offset.Should().Be(next, "the event at index {0} follows without a hole or a duplicate", i);
                next++;
            }

            previous = e;
        }

        next.Should().Be(total + 1);
    }

    private static async Task PublishAsync(ITelemetryBus bus, int count, RunDescriptor run)
    {
        var target = bus.GetStatistics().Dispatched + count;
        for (var i = 0; i < count; i++)
        {
            bus.TryPublish(Metric(run, i)).Should().BeTrue();
        }

        await Poll.UntilAsync(() => bus.GetStatistics().Dispatched == target, $"{target} events were dispatched");
    }

    private static List<TrainInsightEvent> TryRead(ITelemetrySubscription subscription, int count)
    {
        var result = new List<TrainInsightEvent>();
        for (var i = 0; i < count; i++)
        {
            subscription.Reader.TryRead(out var e).Should().BeTrue();
            result.Add(e!);
        }

        return result;
    }
}
