using Microsoft.Playwright;

namespace TrainInsight.Dashboard.Tests.Browser;

[CollectionDefinition(nameof(BrowserCollection), DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>;

/// <summary>
/// One headless Debian Chromium (never a browser Playwright downloads) for the browser tests, driven by Playwright for .NET.
/// The path is $TRAININSIGHT_CHROMIUM or /usr/bin/chromium; eng/setup-browser.sh installs it where the tests run.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: $TRAININSIGHT_ARTIFACTS/dashboard, else artifacts/dashboard under the repository.</summary>
    public static string ArtifactsDirectory { get; } = CreateArtifactsDirectory();

    public async Task InitializeAsync()
    {
        var executable = Environment.GetEnvironmentVariable("TRAININSIGHT_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException(
                $"Chromium was not found at {executable}. Run eng/setup-browser.sh (it installs Debian's chromium and fonts-noto-cjk where the tests run), or set TRAININSIGHT_CHROMIUM.");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>A fresh context (its own storage) with a page: 1280×800, English and light unless told otherwise.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US", int width = 1280, int height = 800, ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = colorScheme,
        });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private static string CreateArtifactsDirectory()
    {
        var root = Environment.GetEnvironmentVariable("TRAININSIGHT_ARTIFACTS");
        if (string.IsNullOrEmpty(root))
        {
            root = Path.Combine(RepositoryFiles.Root, "artifacts");
        }

        var path = Path.Combine(root, "dashboard");
        Directory.CreateDirectory(path);
        return path;
    }
}
