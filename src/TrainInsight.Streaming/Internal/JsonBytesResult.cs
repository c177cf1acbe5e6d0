using Microsoft.AspNetCore.Http;

namespace TrainInsight.Streaming.Internal;

/// <summary>Writes already-encoded JSON with a status code.</summary>
internal sealed class JsonBytesResult(ReadOnlyMemory<byte> json, int statusCode = StatusCodes.Status200OK) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = json.Length;
        await httpContext.Response.Body.WriteAsync(json, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
