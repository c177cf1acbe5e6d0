using TrainInsight.Internal;

namespace TrainInsight.Tests.Bus;

public class HistoryRingTests
{
    private static readonly RunDescriptor s_runA = new("run-a");
    private static readonly RunDescriptor s_runB = new("run-b");

    [Fact]
    public void CopyAfter_Empty_ReturnsNothingAndOldestOffsetIsZero()
    {
        var ring = new HistoryRing(4);

        ring.Count.Should().Be(0);
        ring.Capacity.Should().Be(4);
        ring.OldestOffset.Should().Be(0);
        ring.CopyAfter(0, runId: null).Should().BeEmpty();
    }

    [Fact]
    public void Add_BelowCapacity_KeepsEverythingInOrder()
    {
        var ring = Filled(capacity: 4, count: 3);

        ring.Count.Should().Be(3);
        ring.OldestOffset.Should().Be(1);
        Offsets(ring.CopyAfter(0, runId: null)).Should().Equal(1, 2, 3);
    }

    [Fact]
    public void Add_BeyondCapacity_EvictsOldest()
    {
        var ring = Filled(capacity: 4, count: 11);

        ring.Count.Should().Be(4);
        ring.OldestOffset.Should().Be(8);
        Offsets(ring.CopyAfter(0, runId: null)).Should().Equal(8, 9, 10, 11);
    }

    [Theory]
    [InlineData(0, new long[] { 8, 9, 10, 11 })]
    [InlineData(7, new long[] { 8, 9, 10, 11 })]
    [InlineData(8, new long[] { 9, 10, 11 })]
    [InlineData(10, new long[] { 11 })]
    [InlineData(11, new long[0])]
    [InlineData(1_000, new long[0])]
    public void CopyAfter_Offset_ReturnsOnlyLaterEventsOldestFirst(long afterOffset, long[] expected)
    {
        var ring = Filled(capacity: 4, count: 11);

        Offsets(ring.CopyAfter(afterOffset, runId: null)).Should().Equal(expected);
    }

    [Fact]
    public void CopyAfter_CapacityOne_KeepsOnlyLatest()
    {
        var ring = Filled(capacity: 1, count: 3);

        Offsets(ring.CopyAfter(0, runId: null)).Should().Equal(3);
        Offsets(ring.CopyAfter(2, runId: null)).Should().Equal(3);
        ring.CopyAfter(3, runId: null).Should().BeEmpty();
    }

    [Fact]
    public void CopyAfter_RunId_ReturnsOnlyThatRun()
    {
        var ring = new HistoryRing(10);
        for (var offset = 1; offset <= 6; offset++)
        {
            ring.Add(At(offset % 2 == 0 ? s_runB : s_runA, offset));
        }

        Offsets(ring.CopyAfter(0, s_runB.Id)).Should().Equal(2, 4, 6);
        Offsets(ring.CopyAfter(2, s_runA.Id)).Should().Equal(3, 5);
        ring.CopyAfter(0, "other").Should().BeEmpty();
    }

    private static HistoryRing Filled(int capacity, int count)
    {
        var ring = new HistoryRing(capacity);
        for (var offset = 1; offset <= count; offset++)
        {
            ring.Add(At(s_runA, offset));
        }

        return ring;
    }

    private static MetricEvent At(RunDescriptor run, long offset) => new(run, offset, values: null) { Offset = offset };

    private static IEnumerable<long> Offsets(IEnumerable<TrainInsightEvent> events) => events.Select(e => e.Offset);
}
