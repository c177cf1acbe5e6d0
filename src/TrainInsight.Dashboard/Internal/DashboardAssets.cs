using System.Collections.Frozen;
using System.IO.Compression;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TrainInsight.Dashboard.Internal;

/// <summary>
/// The page's files, read once from the assembly's embedded resources: compressed (Brotli and gzip, best ratio, once),
/// hashed for ETags, and the index page written with the host's options and cache-busting versions of its scripts.
/// </summary>
internal sealed class DashboardAssets
{
    private const string ResourcePrefix = "TrainInsight.Dashboard/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".txt"] = "text/plain; charset=utf-8",
        [""] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, DashboardAsset> _assets;

    public DashboardAssets(DashboardOptions options, string mountPath)
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var raw = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
            {
                raw[name[ResourcePrefix.Length..].Replace('\\', '/')] = Read(assembly, name);
            }
        }

        if (!raw.TryGetValue("index.html", out var template))
        {
            throw new InvalidOperationException("The dashboard's index.html is not embedded in TrainInsight.Dashboard; the package is damaged.");
        }

        var assets = raw.Where(kv => kv.Key != "index.html").ToDictionary(kv => kv.Key, kv => Create(kv.Key, kv.Value), StringComparer.Ordinal);
        var index = WriteIndex(Encoding.UTF8.GetString(template), options, mountPath, assets);
        assets["index.html"] = Create("index.html", Encoding.UTF8.GetBytes(index));
        _assets = assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Gets the index page.</summary>
    public DashboardAsset Index => _assets["index.html"];

    /// <summary>Gets every file by its path (for tests and the packaging check).</summary>
    public IReadOnlyDictionary<string, DashboardAsset> All => _assets;

    public bool TryGet(string path, out DashboardAsset asset) => _assets.TryGetValue(path, out asset!);

    /// <summary>The content type of a file name, by its extension.</summary>
    public static string ContentTypeOf(string path) =>
        s_contentTypes.TryGetValue(System.IO.Path.GetExtension(path), out var type) ? type : "application/octet-stream";

    private static DashboardAsset Create(string path, byte[] bytes)
    {
        var type = ContentTypeOf(path);
        byte[]? brotli = null, gzip = null;
        if (type.StartsWith("text/", StringComparison.Ordinal) || type.StartsWith("application/json", StringComparison.Ordinal) || type.StartsWith("image/svg", StringComparison.Ordinal))
        {
            brotli = Smaller(Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize)), bytes);
            gzip = Smaller(Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize)), bytes);
        }

        var hash = SHA256.HashData(bytes);
        return new DashboardAsset(path, type, bytes, brotli, gzip, "\"" + Convert.ToHexStringLower(hash) + "\"", Convert.ToHexStringLower(hash.AsSpan(0, 6)));
    }

    private static byte[]? Smaller(byte[] compressed, byte[] original) => compressed.Length < original.Length * 0.9 ? compressed : null;

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(bytes);
        }

        return output.ToArray();
    }

    private static byte[] Read(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The embedded resource '{name}' cannot be read.");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return memory.ToArray();
    }

    /// <summary>
    /// Fills the template's placeholders: {{title}} (HTML-encoded), {{config}} (a JSON object in a non-executed
    /// <c>application/json</c> script block, so the content security policy needs no inline script) and
    /// {{v:path}} (the file's content version, so its URL changes whenever the file does).
    /// </summary>
    private static string WriteIndex(string template, DashboardOptions options, string mountPath, Dictionary<string, DashboardAsset> assets)
    {
        var config = JsonSerializer.Serialize(
            new Dictionary<string, object>
            {
                ["api_prefix"] = options.ApiPrefix,
                ["mount_path"] = mountPath,
                ["history_points"] = options.HistoryPointsPerMetric,
                ["live_points"] = options.LivePointsPerChart,
                ["title"] = options.Title,
            },
            DashboardJsonContext.Default.DictionaryStringObject);
        var text = template
            .Replace("{{title}}", HtmlEncoder.Default.Encode(options.Title), StringComparison.Ordinal)
            .Replace("{{config}}", config.Replace("<", "\\u003C", StringComparison.Ordinal), StringComparison.Ordinal);
        var builder = new StringBuilder(text.Length);
        var at = 0;
        while (text.IndexOf("{{v:", at, StringComparison.Ordinal) is var start and >= 0)
        {
            var end = text.IndexOf("}}", start, StringComparison.Ordinal);
            var path = text[(start + 4)..end];
            if (!assets.TryGetValue(path, out var asset))
            {
                throw new InvalidOperationException($"index.html refers to '{path}', which is not embedded; the package is damaged.");
            }

            builder.Append(text, at, start - at).Append(asset.Version);
            at = end + 2;
        }

        return builder.Append(text, at, text.Length - at).ToString();
    }
}
