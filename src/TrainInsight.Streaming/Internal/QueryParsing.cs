using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace TrainInsight.Streaming.Internal;

internal static class QueryParsing
{
    /// <summary>Reads the offset to resume after from Last-Event-ID (header) or ?lastEventId= / ?after= (query).</summary>
    public static bool TryGetResumeOffset(HttpRequest request, out long? afterOffset, [NotNullWhen(false)] out IResult? problem)
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
    public static bool TryGetRunId(HttpRequest request, out string? runId, [NotNullWhen(false)] out IResult? problem)
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

    /// <summary>The most metric names one filter may list.</summary>
    public const int MaxMetricNames = 256;

    /// <summary>Reads ?names=a,b (comma-separated and/or repeated); null when absent.</summary>
    public static bool TryGetMetricNames(HttpRequest request, out IReadOnlyCollection<string>? names, [NotNullWhen(false)] out IResult? problem)
    {
        problem = null;
        names = null;
        var values = request.Query["names"];
        if (values.Count == 0)
        {
            return true;
        }

        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            foreach (var name in (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (name.Length > 128)
                {
                    problem = Problems.BadRequest("Invalid metric name", $"Metric names are at most 128 characters; '{name[..32]}…' is {name.Length}.");
                    return false;
                }

                set.Add(name);
            }
        }

        if (set.Count == 0)
        {
            problem = Problems.BadRequest("Invalid metric names", "names must list at least one metric name, for example names=train_loss,val_loss.");
            return false;
        }

        if (set.Count > MaxMetricNames)
        {
            problem = Problems.BadRequest("Too many metric names", $"names may list at most {MaxMetricNames} metric names, not {set.Count}.");
            return false;
        }

        names = set;
        return true;
    }
}
