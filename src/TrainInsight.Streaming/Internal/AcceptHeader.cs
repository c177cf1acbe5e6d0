using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TrainInsight.Streaming.Internal;

/// <summary>Content negotiation between a JSON answer and a Server-Sent Events stream.</summary>
internal static class AcceptHeader
{
    /// <summary>
    /// Whether the Accept header ranks text/event-stream (named exactly) above application/json: the quality of
    /// application/json is that of its most specific entry (application/json, application/* or */*); at the same quality,
    /// an explicit application/json keeps JSON and a wildcard does not.
    /// </summary>
    public static bool PrefersEventStream(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var values))
        {
            return false;
        }

        double eventStream = 0;
        double? json = null, applicationAny = null, any = null;
        foreach (var value in values)
        {
            var quality = value.Quality ?? 1;
            var type = value.MediaType;
            if (type.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                eventStream = Math.Max(eventStream, quality);
            }
            else if (type.Equals("application/json", StringComparison.OrdinalIgnoreCase))
            {
                json = Math.Max(json ?? 0, quality);
            }
            else if (type.Equals("application/*", StringComparison.OrdinalIgnoreCase))
            {
                applicationAny = Math.Max(applicationAny ?? 0, quality);
            }
            else if (type.Equals("*/*", StringComparison.OrdinalIgnoreCase))
            {
                any = Math.Max(any ?? 0, quality);
            }
        }

        if (eventStream <= 0)
        {
            return false;
        }

        return json is { } explicitJson ? eventStream > explicitJson : eventStream >= (applicationAny ?? any ?? 0);
    }
}
