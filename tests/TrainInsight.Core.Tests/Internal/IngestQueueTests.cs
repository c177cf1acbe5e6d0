using System.Runtime.CompilerServices;
using TrainInsight.Internal;
using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Internal;

public class IngestQueueTests
{
    private static readonly RunDescriptor s_run = new("run-a");

    [Fact]
    public async Task TryWrite_MoreThanCapacity_DropsOldestAndTakesNewestInOrderAcrossTheWrap()
    {
        using var queue = new IngestQueue(4);
        var events = Enumerable.Range(1, 11).Select(i => Metric(s_run, i)).ToList();

        foreach (var e in events)
        {
            queue.TryWrite(e).Should().BeTrue();
        }

        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[1]);
        var taken = await queue.TakeAllAsync(buffer);

        taken.Should().Be(4);
        buffer.Value!.Take(4).Should().Equal(events.Skip(7), ReferenceEquals);
        buffer.Value!.Length.Should().BeGreaterThanOrEqualTo(4, "the buffer grows to fit");
        queue.Dropped.Should().Be(7);
    }

    [Fact]
    public async Task TakeAllAsync_BacklogLargerThanMaxBatch_TakesAtMostMaxBatchAtATimeInOrder()
    {
        using var queue = new IngestQueue(5_000);
        var events = Enumerable.Range(1, 3_000).Select(i => Metric(s_run, i)).ToList();
        queue.TryWrite(events[0]);
        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[1]);
        (await queue.TakeAllAsync(buffer)).Should().Be(1, "the next takes start mid-ring and wrap");
        events.ForEach(e => queue.TryWrite(e));

        var taken = new List<TrainInsightEvent>();
        var sizes = new List<int>();
        while (taken.Count < events.Count)
        {
            var count = await queue.TakeAllAsync(buffer);
            sizes.Add(count);
            taken.AddRange(buffer.Value!.Take(count));
        }

        sizes.Should().Equal(IngestQueue.MaxBatch, IngestQueue.MaxBatch, 3_000 - (2 * IngestQueue.MaxBatch));
        taken.Should().Equal(events, ReferenceEquals);
    }

    [Fact]
    public async Task TakeAllAsync_AfterTakingAWrappedRing_NextTakeStartsClean()
    {
        using var queue = new IngestQueue(4);
        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[4]);
        var events = Enumerable.Range(1, 9).Select(i => Metric(s_run, i)).ToList();

        events.Take(6).ToList().ForEach(e => queue.TryWrite(e));
        (await queue.TakeAllAsync(buffer)).Should().Be(4);
        buffer.Value!.Should().Equal(events.Skip(2).Take(4), ReferenceEquals);

        events.Skip(6).ToList().ForEach(e => queue.TryWrite(e));
        (await queue.TakeAllAsync(buffer)).Should().Be(3);
        buffer.Value!.Take(3).Should().Equal(events.Skip(6), ReferenceEquals);
        queue.Dropped.Should().Be(2);
    }

    [Fact]
    public async Task TakeAllAsync_Empty_WaitsForTheNextWrite()
    {
        using var queue = new IngestQueue(16);
        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[16]);

        var take = queue.TakeAllAsync(buffer).AsTask();
        take.IsCompleted.Should().BeFalse();
        var e = Metric(s_run, 1);
        queue.TryWrite(e);

        (await take.WaitAsync(Patience)).Should().Be(1);
        buffer.Value![0].Should().BeSameAs(e);
    }

    [Fact]
    public async Task Complete_WithEventsQueued_RejectsWritesAndDrainsThenReturnsZero()
    {
        using var queue = new IngestQueue(16);
        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[16]);
        queue.TryWrite(Metric(s_run, 1));

        queue.Complete();

        queue.TryWrite(Metric(s_run, 2)).Should().BeFalse();
        (await queue.TakeAllAsync(buffer)).Should().Be(1);
        (await queue.TakeAllAsync(buffer).AsTask().WaitAsync(Patience)).Should().Be(0);
    }

    [Fact]
    public async Task Complete_WhileConsumerWaits_ReturnsZero()
    {
        using var queue = new IngestQueue(16);
        var take = queue.TakeAllAsync(new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[16])).AsTask();

        queue.Complete();

        (await take.WaitAsync(Patience)).Should().Be(0);
    }

    [Fact]
    public async Task TryWrite_SeveralProducersWhileConsumerTakes_EveryEventTakenOnce()
    {
        const int Producers = 4;
        const int PerProducer = 20_000;
        using var queue = new IngestQueue(Producers * PerProducer);
        var buffer = new StrongBox<TrainInsightEvent[]>(new TrainInsightEvent[16]);
        var taken = new HashSet<TrainInsightEvent>(ReferenceEqualityComparer.Instance);
        var consumer = Task.Run(async () =>
        {
            int count;
            while ((count = await queue.TakeAllAsync(buffer)) > 0)
            {
                for (var i = 0; i < count; i++)
                {
                    taken.Add(buffer.Value![i]).Should().BeTrue();
                }
            }
        });

        var producers = Enumerable.Range(0, Producers).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                queue.TryWrite(Metric(s_run, i));
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(Patience);
        queue.Complete();
        await consumer.WaitAsync(Patience);

        taken.Should().HaveCount(Producers * PerProducer);
        queue.Dropped.Should().Be(0);
    }
}
