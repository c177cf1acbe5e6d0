using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;
using TrainInsight.Wire;

namespace TrainInsight.Streaming.Rest;

/// <summary>
/// POST /api/ingest: batches of metric points and training events from trainers in other processes (docs/ingest.md).
/// The whole batch is read and validated before anything is published, so a rejected batch leaves no trace on the bus.
/// </summary>
internal static class IngestEndpoint
{
    public static async Task<IResult> HandleAsync(
        HttpContext context, ITelemetryBus bus, IngestRunRegistry registry, StreamingOptions options, ILoggerFactory loggerFactory)
    {
        // A JSON content type is required: it makes a browser preflight cross-origin requests (CORS), so a web page
        // cannot post to these endpoints with a "simple" request.
        var (body, problem) = await RequestBody.ReadJsonAsync(context.Request, options.MaxIngestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        IngestBatchDto? batch;
        try
        {
            batch = JsonSerializer.Deserialize(body, IngestJsonContext.Default.IngestBatchDto);
        }
        catch (JsonException ex)
        {
            // The message names the JSON path (for example $.runs[0].events[3].step), the line and the byte position.
            return Problems.BadRequest("Malformed ingest batch", ex.Message, ex.Path ?? "$");
        }

        if (IngestMapping.Validate(batch) is { } error)
        {
            return Problems.BadRequest("Invalid ingest batch", error.Detail, error.Path);
        }

        var (response, busClosed) = registry.Publish(bus, batch!.Runs!);
        if (busClosed)
        {
            return Problems.ServiceUnavailable(
                "Bus closed", "The server is shutting down and stopped accepting events; retry the batch against a running server.");
        }

        Log.IngestAccepted(loggerFactory.CreateLogger("TrainInsight.Streaming.Ingest"), response.Accepted, response.Duplicates, response.Runs.Count);
        var json = JsonSerializer.SerializeToUtf8Bytes(response, IngestJsonContext.Default.IngestResponseDto);
        return new JsonBytesResult(json, response.Accepted > 0 ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
    }
}
