namespace TrainInsight.Dashboard.Internal;

/// <summary>One file of the page, with its precomputed encodings and validator.</summary>
/// <param name="Path">The path under the dashboard, such as "js/app.js" ("index.html" for the page).</param>
/// <param name="ContentType">The Content-Type header.</param>
/// <param name="Identity">The bytes as they are.</param>
/// <param name="Brotli">The Brotli-compressed bytes, or <see langword="null"/> when compression does not pay.</param>
/// <param name="Gzip">The gzip-compressed bytes, or <see langword="null"/> when compression does not pay.</param>
/// <param name="ETag">A strong entity tag: the SHA-256 of <paramref name="Identity"/>, quoted.</param>
/// <param name="Version">A short hash of the content, for cache-busting URLs ("?v=…").</param>
internal sealed record DashboardAsset(string Path, string ContentType, byte[] Identity, byte[]? Brotli, byte[]? Gzip, string ETag, string Version);
