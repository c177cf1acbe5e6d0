using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using TrainInsight.Streaming.Internal;
using TrainInsight.Streaming.Serialization;

namespace TrainInsight.Streaming.Rest;

/// <summary>GET /api/metrics/current and GET /api/metrics/history.</summary>
internal static class MetricsEndpoints
{
    public const int DefaultHistoryLimit = 100;
    public const int MaxHistoryLimit = 10_000;

    public static IResult Current(HttpRequest request, ITelemetryBus bus)
    {
        if (!QueryParsing.TryGetRunId(request, out var runId, out var problem))
        {
            return problem;
        }

        var snapshot = bus.GetCurrent(runId);
        if (snapshot is null)
        {
            return runId is null
                ? Problems.NotFound("No metrics yet", "No training run has published anything yet.")
                : Problems.NotFound("Unknown run", $"Run '{runId}' has published nothing.");
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WireFormat.WriteSnapshot(writer, snapshot);
        }

        return new JsonBytesResult(buffer.WrittenMemory);
    }

    public static IResult History(HttpRequest request, ITelemetryBus bus)
    {
        if (!QueryParsing.TryGetRunId(request, out var runId, out var problem))
        {
            return problem;
        }

        var limit = DefaultHistoryLimit;
        string? rawLimit = request.Query["limit"];
        if (rawLimit is not null &&
            (!int.TryParse(rawLimit, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxHistoryLimit))
        {
            return Problems.BadRequest("Invalid limit", $"limit must be an integer from 1 to {MaxHistoryLimit:N0}, not '{rawLimit}'.");
        }

        // The last `limit` metric events (of the run, when asked), oldest first, in the same shape as the SSE data.
        var history = bus.GetHistory();
        var selected = new List<TrainInsightEvent>(Math.Min(limit, history.Count));
        for (var i = history.Count - 1; i >= 0 && selected.Count < limit; i--)
        {
            var item = history[i];
            if (item is MetricEvent && (runId is null || item.RunId == runId))
            {
                selected.Add(item);
            }
        }

        var buffer = new ArrayBufferWriter<byte>(256 * (selected.Count + 1));
        buffer.Write("["u8);
        for (var i = selected.Count - 1; i >= 0; i--)
        {
            buffer.Write(EncodedEvent.For(selected[i]).Sse);
            if (i > 0)
            {
                buffer.Write(","u8);
            }
        }

        buffer.Write("]"u8);
        return new JsonBytesResult(buffer.WrittenMemory);
    }
}
