using System.Text.Json;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// Follows an unfiltered stream and checks that it accounts for every offset after its start exactly once, in order:
/// each event has the next offset, or a gap starts at the next offset and says how many it stands for.
/// </summary>
internal sealed class StreamCoverage(long afterOffset)
{
    /// <summary>Gets the next offset the stream must account for.</summary>
    public long Next { get; private set; } = afterOffset + 1;

    /// <summary>Gets the offsets of the events received, in order.</summary>
    public List<long> Events { get; } = [];

    /// <summary>Gets the gaps received, as (first, last, missed).</summary>
    public List<(long First, long Last, long Missed)> Gaps { get; } = [];

    /// <summary>Gets the offset covered last.</summary>
    public long Covered => Next - 1;

    /// <summary>Accounts for one message; <paramref name="typeKey"/> is "event_type" (SSE) or "message_type" (WebSocket).</summary>
    public void Add(JsonElement json, string typeKey)
    {
        if (json.GetProperty(typeKey).GetString() == "gap")
        {
            json.TryGetProperty("offset", out _).Should().BeFalse("a gap has no offset of its own");
            json.TryGetProperty("sequence", out _).Should().BeFalse("a gap has no sequence of its own");
            var data = json.GetProperty("data");
            var first = data.GetProperty("first_offset").GetInt64();
            var last = data.GetProperty("last_offset").GetInt64();
            var missed = data.GetProperty("missed").GetInt64();
            first.Should().Be(Next, "a gap must start right after what was received before it");
            last.Should().BeGreaterThanOrEqualTo(first);
            missed.Should().Be(last - first + 1, "an unfiltered stream misses every offset of the gap's range");
            Gaps.Add((first, last, missed));
            Next = last + 1;
            return;
        }

        var offset = json.GetProperty("offset").GetInt64();
        offset.Should().Be(Next, "events arrive in order, without holes or duplicates (after {0} events and {1} gaps)", Events.Count, Gaps.Count);
        Events.Add(offset);
        Next = offset + 1;
    }
}
