using TrainInsight.Streaming.Serialization;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Serialization;

public sealed class EncodedEventTests
{
    [Fact]
    public void For_SameEvent_ReturnsSameEncodingAndSameBytes()
    {
        var metric = Loss(Run(), 1);

        var first = EncodedEvent.For(metric);
        var second = EncodedEvent.For(metric);

        second.Should().BeSameAs(first);
        second.Sse.Should().BeSameAs(first.Sse, "an event is serialized once and the bytes reused for every client");
        second.WebSocket.Should().BeSameAs(first.WebSocket);
    }

    [Fact]
    public void For_Event_ExposesWireFormatBytesAndType()
    {
        var epoch = EpochCompleted(Run(), 1, 10);

        var encoded = EncodedEvent.For(epoch);

        encoded.Sse.Should().Equal(WireFormat.SerializeSse(epoch));
        encoded.WebSocket.Should().Equal(WireFormat.SerializeWebSocket(epoch));
        encoded.EventType.Should().Be("training_event");
    }

    [Fact]
    public void OffsetText_DispatchedEvent_IsInvariantOffset()
    {
        using var bus = TelemetryBus.Create();
        var events = Enumerable.Range(1, 12).Select(i => Loss(Run(), i)).ToList();
        events.ForEach(e => bus.TryPublish(e));
        SpinWait.SpinUntil(() => bus.GetStatistics().Dispatched == 12, TimeSpan.FromSeconds(10)).Should().BeTrue();

        var encoded = EncodedEvent.For(events[^1]);

        encoded.Offset.Should().Be(12);
        encoded.OffsetText.Should().Be("12");
    }

    [Fact]
    public void For_GapEvent_EventTypeIsGapAndBytesMatchWireFormat()
    {
        var gap = new GapEvent(Run(), 4, 10, 13, 7);

        var encoded = EncodedEvent.For(gap);

        encoded.EventType.Should().Be("gap");
        encoded.Sse.Should().Equal(WireFormat.SerializeSse(gap));
        encoded.WebSocket.Should().Equal(WireFormat.SerializeWebSocket(gap));
        EncodedEvent.For(gap).Should().BeSameAs(encoded);
    }
}
