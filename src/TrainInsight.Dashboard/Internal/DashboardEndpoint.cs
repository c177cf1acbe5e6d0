using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace TrainInsight.Dashboard.Internal;

/// <summary>Serves the page and its files: content types, validators (ETag, 304), caching and precompressed encodings.</summary>
internal sealed class DashboardEndpoint(DashboardAssets assets)
{
    /// <summary>What the page may load: only this origin's files and endpoints (no CDN, no inline script).</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

    private const string Immutable = "public, max-age=31536000, immutable";
    private const string Revalidate = "no-cache";

    /// <summary>GET/HEAD of the dashboard's own path: the page (redirected to the path with a trailing slash, so that the page's relative URLs resolve under it).</summary>
    public Task ServeIndexAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.PathBase.Add(request.Path).Value ?? "/";
        if (!path.EndsWith('/'))
        {
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = path + "/" + request.QueryString.Value;
            return Task.CompletedTask;
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers["Referrer-Policy"] = "no-referrer";
        return WriteAsync(context, assets.Index, Revalidate);
    }

    /// <summary>GET/HEAD of assets/{**path}: one of the page's files.</summary>
    public Task ServeAssetAsync(HttpContext context, string path)
    {
        if (!assets.TryGet(path, out var asset) || path == "index.html")
        {
            return Results.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Not found",
                detail: $"The dashboard has no file 'assets/{path}'.").ExecuteAsync(context);
        }

        // A URL carrying the file's current version never changes meaning: cache it for good. Any other is revalidated.
        var versioned = context.Request.Query.TryGetValue("v", out var v) && v.Count == 1 && v[0] == asset.Version;
        return WriteAsync(context, asset, versioned ? Immutable : Revalidate);
    }

    private static Task WriteAsync(HttpContext context, DashboardAsset asset, string cacheControl)
    {
        var (bytes, encoding) = Choose(context.Request, asset);
        var etag = encoding is null ? asset.ETag : asset.ETag.Insert(asset.ETag.Length - 1, "-" + encoding);
        var response = context.Response;
        var headers = response.Headers;
        headers.ContentType = asset.ContentType;
        headers.CacheControl = cacheControl;
        headers.ETag = etag;
        headers.XContentTypeOptions = "nosniff";
        if (asset.Brotli is not null || asset.Gzip is not null)
        {
            headers.Vary = HeaderNames.AcceptEncoding;
        }

        if (encoding is not null)
        {
            headers.ContentEncoding = encoding;
        }

        if (Matches(context.Request.Headers.IfNoneMatch, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentLength = bytes.Length;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>The best encoding the client accepts (q &gt; 0): Brotli, then gzip, then the bytes as they are.</summary>
    internal static (byte[] Bytes, string? Encoding) Choose(HttpRequest request, DashboardAsset asset)
    {
        if (asset.Brotli is null && asset.Gzip is null)
        {
            return (asset.Identity, null);
        }

        var accepted = request.GetTypedHeaders().AcceptEncoding;
        double Quality(string name) =>
            accepted.Where(e => e.Value.Equals(name, StringComparison.OrdinalIgnoreCase) || e.Value.Equals("*", StringComparison.Ordinal))
                .OrderByDescending(e => e.Value.Equals(name, StringComparison.OrdinalIgnoreCase))
                .Select(e => e.Quality ?? 1.0)
                .FirstOrDefault(0.0);

        if (asset.Brotli is not null && Quality("br") > 0)
        {
            return (asset.Brotli, "br");
        }

        return asset.Gzip is not null && Quality("gzip") > 0 ? (asset.Gzip, "gzip") : (asset.Identity, null);
    }

    private static bool Matches(Microsoft.Extensions.Primitives.StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            foreach (var candidate in (value ?? string.Empty).Split(','))
            {
                var tag = candidate.Trim();
                if (tag == "*" || tag == etag || (tag.StartsWith("W/", StringComparison.Ordinal) && tag[2..] == etag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
