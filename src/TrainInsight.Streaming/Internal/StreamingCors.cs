using Microsoft.AspNetCore.Builder;

namespace TrainInsight.Streaming.Internal;

/// <summary>The CORS policy of the TrainInsight endpoints, from <see cref="StreamingOptions.AllowedOrigins"/>.</summary>
internal static class StreamingCors
{
    /// <summary>Gives the endpoints the policy when origins are configured; validates them first.</summary>
    public static void Apply(IEndpointConventionBuilder endpoints, StreamingOptions options)
    {
        if (options.AllowedOrigins.Count == 0)
        {
            return;
        }

        var origins = options.AllowedOrigins.ToArray();
        foreach (var origin in origins)
        {
            if (!IsValidOrigin(origin))
            {
                throw new InvalidOperationException(
                    $"StreamingOptions.AllowedOrigins contains '{origin}', which is not an origin: use \"scheme://host[:port]\" with no path or " +
                    "trailing '/', such as \"https://dashboard.example.com\", or \"*\" for any origin.");
            }
        }

        endpoints.RequireCors(policy =>
        {
            if (origins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins(origins);
            }

            // Content-Type: the control endpoint requires application/json, which browsers preflight. Last-Event-ID:
            // resuming SSE clients send it. No credentials: hosts that authenticate cross-origin callers use tokens.
            policy.WithMethods("GET", "POST")
                .WithHeaders("Content-Type", "Last-Event-ID")
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        });
    }

    private static bool IsValidOrigin(string? origin) =>
        origin == "*" ||
        (Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
            (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) &&
            uri.PathAndQuery == "/" && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0 &&
            !origin.EndsWith('/'));
}
