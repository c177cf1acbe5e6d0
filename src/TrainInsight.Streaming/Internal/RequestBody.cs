using System.Buffers;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;

namespace TrainInsight.Streaming.Internal;

/// <summary>Content-type check and size-limited reading of request bodies, shared by the POST endpoints.</summary>
internal static class RequestBody
{
    /// <summary>application/json or any +json type, in UTF-8 (no charset parameter, or utf-8).</summary>
    public static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || mediaType.MediaType is not { } type)
        {
            return false;
        }

        var json = type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
            (type.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && type.Contains('/', StringComparison.Ordinal));
        var charset = mediaType.CharSet?.Trim('"');
        return json && (charset is null || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Checks the JSON content type and reads the body within <paramref name="limit"/> bytes: the body, or a 415/413
    /// problem (also for chunked bodies without a Content-Length that turn out longer).
    /// </summary>
    public static async Task<(byte[]? Body, IResult? Problem)> ReadJsonAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (!IsJson(request.ContentType))
        {
            return (null, Problems.UnsupportedMediaType(request.ContentType));
        }

        if (request.ContentLength > limit)
        {
            return (null, Problems.TooLarge(limit));
        }

        var body = await ReadAsync(request.Body, limit, cancellationToken).ConfigureAwait(false);
        return body is null ? (null, Problems.TooLarge(limit)) : (body, null);
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes; returns null when the body is longer.</summary>
    public static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit + 1, 16 * 1024));
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    if (total > limit)
                    {
                        return null;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, limit + 1));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.AsSpan(0, total).ToArray();
                }

                total += read;
                if (total > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
