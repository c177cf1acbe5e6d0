namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>Content whose length is unknown up front, so that HttpClient sends it with chunked transfer encoding.</summary>
internal sealed class UnknownLengthContent(byte[] body) : HttpContent
{
    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        // In a few writes, as a streaming client would.
        for (var offset = 0; offset < body.Length; offset += 8192)
        {
            await stream.WriteAsync(body.AsMemory(offset, Math.Min(8192, body.Length - offset)));
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
