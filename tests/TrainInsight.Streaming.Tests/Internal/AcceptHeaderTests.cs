using Microsoft.AspNetCore.Http;
using TrainInsight.Streaming.Internal;

namespace TrainInsight.Streaming.Tests.Internal;

public sealed class AcceptHeaderTests
{
    [Theory]
    [InlineData("text/event-stream", true)]
    [InlineData("TEXT/EVENT-STREAM", true)]
    [InlineData("text/event-stream, */*", true)]
    [InlineData("*/*, text/event-stream", true)]
    [InlineData("application/json;q=0.9, text/event-stream", true)]
    [InlineData("*/*;q=1, application/json;q=0.1, text/event-stream;q=0.5", true)]
    [InlineData("application/*;q=0.2, */*, text/event-stream;q=0.5", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("*/*", false)]
    [InlineData("text/*", false)]
    [InlineData("application/json", false)]
    [InlineData("application/json, text/event-stream", false)]
    [InlineData("text/event-stream, application/json", false)]
    [InlineData("text/event-stream;q=0.5, */*", false)]
    [InlineData("text/event-stream;q=0", false)]
    [InlineData("not a media type", false)]
    public void PrefersEventStream_AcceptHeader_ComparesEventStreamWithJson(string? accept, bool expected)
    {
        var context = new DefaultHttpContext();
        if (accept is not null)
        {
            context.Request.Headers.Accept = accept;
        }

        AcceptHeader.PrefersEventStream(context.Request).Should().Be(expected);
    }
}
