using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace TrainInsight.Streaming.Internal;

internal static class QueryParsing
{
    /// <summary>Reads the offset to resume after from Last-Event-ID (header) or ?lastEventId= / ?after= (query).</summary>
    public static bool TryGetResumeOffset(HttpRequest request, out long? afterOffset, out IResult? problem)
    {
        afterOffset = null;
        problem = null;
        string? raw = request.Headers["Last-Event-ID"];
        var source = "Last-Event-ID";
        if (string.IsNullOrEmpty(raw))
        {
            raw = request.Query["lastEventId"];
            source = "lastEventId";
        }

        if (string.IsNullOrEmpty(raw))
        {
            raw = request.Query["after"];
            source = "after";
        }

        if (string.IsNullOrEmpty(raw))
        {
            return true;
        }

        if (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            problem = Problems.BadRequest("Invalid resume position", $"{source} must be a non-negative integer event id, not '{raw}'.");
            return false;
        }

        afterOffset = value;
        return true;
    }

    /// <summary>Reads ?run=; a present but malformed id is a 400.</summary>
    public static bool TryGetRunId(HttpRequest request, out string? runId, out IResult? problem)
    {
        problem = null;
        runId = request.Query["run"];
        if (string.IsNullOrEmpty(runId))
        {
            runId = null;
            return true;
        }

        if (!RunDescriptor.IsValidId(runId))
        {
            problem = Problems.BadRequest("Invalid run id", $"'{runId}' is not a valid run id: use 1 to 128 letters, digits, '-', '_' or '.'.");
            return false;
        }

        return true;
    }
}
