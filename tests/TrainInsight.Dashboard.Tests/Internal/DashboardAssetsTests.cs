using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using TrainInsight.Dashboard.Internal;

namespace TrainInsight.Dashboard.Tests.Internal;

public partial class DashboardAssetsTests
{
    [Fact]
    public void Constructor_EmbeddedVendorFiles_MatchTheirPinnedSha256Sums()
    {
        var assets = new DashboardAssets(new DashboardOptions(), "/");
        var sums = File.ReadAllLines(RepositoryFiles.PathOf("src", "TrainInsight.Dashboard", "vendor", "SHA256SUMS"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split("  ", 2))
            .ToList();

        sums.Should().NotBeEmpty();
        foreach (var (hash, path) in sums.Select(s => (s[0], s[1])))
        {
            assets.TryGet("vendor/" + path, out var asset).Should().BeTrue($"{path} is listed in SHA256SUMS");
            Convert.ToHexStringLower(SHA256.HashData(asset.Identity)).Should().Be(hash, $"vendor/{path} is the file the pinned package built (eng/vendor-dashboard.sh)");
        }
    }

    [Fact]
    public void PackageLock_Uplot_IsPinnedWithItsIntegrity()
    {
        var packageJson = File.ReadAllText(RepositoryFiles.PathOf("src", "TrainInsight.Dashboard", "vendor", "package.json"));
        var lockJson = File.ReadAllText(RepositoryFiles.PathOf("src", "TrainInsight.Dashboard", "vendor", "package-lock.json"));

        packageJson.Should().Contain("\"uplot\": \"1.6.32\"", "an exact version, not a range");
        lockJson.Should().MatchRegex("\"node_modules/uplot\": \\{\\s*\"version\": \"1\\.6\\.32\",\\s*\"integrity\": \"sha512-");
    }

    [Fact]
    public void Index_Always_RefersOnlyToEmbeddedFilesWithTheirVersionsAndNoOtherOrigin()
    {
        var assets = new DashboardAssets(new DashboardOptions { Title = "Lab <3>" }, "/");
        var html = Encoding.UTF8.GetString(assets.Index.Identity);

        html.Should().NotContain("{{").And.NotContain("http://").And.NotContain("https://").And.NotContain("//cdn");
        html.Should().Contain("<title>Lab &lt;3&gt;</title>");
        var references = AssetReference().Matches(html).Select(m => (Path: m.Groups[1].Value, Version: m.Groups[2].Value)).ToList();
        references.Select(r => r.Path).Should().Contain(["app.css", "js/app.js", "vendor/uplot/uPlot.iife.min.js", "vendor/uplot/uPlot.min.css"]);
        foreach (var (path, version) in references)
        {
            assets.TryGet(path, out var asset).Should().BeTrue(path);
            version.Should().Be(asset.Version, $"{path}'s URL carries its content version");
        }
    }

    [Fact]
    public void Index_Options_AreInANonExecutedJsonBlock()
    {
        var assets = new DashboardAssets(new DashboardOptions { ApiPrefix = "/ti", HistoryPointsPerMetric = 500, Title = "</script><b>" }, "/dash");
        var html = Encoding.UTF8.GetString(assets.Index.Identity);

        var block = ConfigBlock().Match(html);
        block.Success.Should().BeTrue();
        block.Groups[1].Value.Should().Contain("\"api_prefix\":\"/ti\"").And.Contain("\"mount_path\":\"/dash\"")
            .And.Contain("\"history_points\":500").And.NotContain("</script>", "a title cannot end the block");
    }

    [Fact]
    public void Modules_Imports_NameEmbeddedFiles()
    {
        var assets = new DashboardAssets(new DashboardOptions(), "/");

        foreach (var (path, asset) in assets.All.Where(a => a.Key.StartsWith("js/", StringComparison.Ordinal)))
        {
            foreach (Match import in ModuleImport().Matches(Encoding.UTF8.GetString(asset.Identity)))
            {
                assets.TryGet("js/" + import.Groups[1].Value, out _).Should().BeTrue($"{path} imports {import.Groups[1].Value}");
            }
        }
    }

    [Theory]
    [InlineData("index.html", "text/html; charset=utf-8")]
    [InlineData("js/app.js", "text/javascript; charset=utf-8")]
    [InlineData("app.css", "text/css; charset=utf-8")]
    [InlineData("vendor/uplot/LICENSE", "text/plain; charset=utf-8")]
    [InlineData("x.png", "image/png")]
    [InlineData("x.bin", "application/octet-stream")]
    public void ContentTypeOf_Extension_IsTheRegisteredType(string path, string expected) =>
        DashboardAssets.ContentTypeOf(path).Should().Be(expected);

    [Fact]
    public void Constructor_TextFiles_AreCompressedSmallerAndDecompressToTheSameBytes()
    {
        var assets = new DashboardAssets(new DashboardOptions(), "/");
        assets.TryGet("vendor/uplot/uPlot.iife.min.js", out var uplot).Should().BeTrue();

        uplot.Brotli.Should().NotBeNull();
        uplot.Gzip.Should().NotBeNull();
        uplot.Brotli!.Length.Should().BeLessThan(uplot.Identity.Length / 2);
        using var brotli = new System.IO.Compression.BrotliStream(new MemoryStream(uplot.Brotli), System.IO.Compression.CompressionMode.Decompress);
        using var plain = new MemoryStream();
        brotli.CopyTo(plain);
        plain.ToArray().Should().Equal(uplot.Identity);
    }

    [GeneratedRegex("assets/([A-Za-z0-9_./-]+)\\?v=([0-9a-f]+)")]
    private static partial Regex AssetReference();

    [GeneratedRegex("<script type=\"application/json\" id=\"ti-config\">(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex ConfigBlock();

    [GeneratedRegex("from \"\\./([A-Za-z0-9_-]+\\.js)\"")]
    private static partial Regex ModuleImport();
}
