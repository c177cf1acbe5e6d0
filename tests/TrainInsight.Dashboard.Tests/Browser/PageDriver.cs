using System.Text.Json;
using Microsoft.Playwright;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>Reads what the page shows through its test hook (window.__trainInsight) and saves screenshots.</summary>
internal static class PageDriver
{
    public static async Task OpenAsync(IPage page, Uri address)
    {
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        await page.GotoAsync(address.ToString());
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'");
        errors.Should().BeEmpty("the page's scripts run without errors");
    }

    public static async Task<JsonElement> StateAsync(IPage page) =>
        await page.EvaluateAsync<JsonElement>("() => window.__trainInsight.state()");

    /// <summary>How many steps the chart of <paramref name="chart"/> shows (0 until it has data).</summary>
    public static async Task<int> ChartPointsAsync(IPage page, string chart)
    {
        var state = await StateAsync(page);
        return state.GetProperty("charts").EnumerateArray().Single(c => c.GetProperty("key").GetString() == chart).GetProperty("points").GetInt32();
    }

    /// <summary>The page's copy of one metric of one run: its steps and values.</summary>
    public static async Task<(long[] Steps, double?[] Values)> SeriesAsync(IPage page, string runId, string metric)
    {
        var series = await page.EvaluateAsync<JsonElement>("([run, name]) => window.__trainInsight.series(run, name)", new[] { runId, metric });
        if (series.ValueKind == JsonValueKind.Null)
        {
            return ([], []);
        }

        var steps = series.GetProperty("x").EnumerateArray().Select(x => x.GetInt64()).ToArray();
        var values = series.GetProperty("y").EnumerateArray().Select(y => y.ValueKind == JsonValueKind.Number ? y.GetDouble() : (double?)null).ToArray();
        return (steps, values);
    }

    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string because, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        T value;
        while (!condition(value = await read()))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {seconds} s waiting until {because}; last value: {value}.");
            }

            await Task.Delay(200);
        }

        return value;
    }

    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(BrowserFixture.ArtifactsDirectory, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        new FileInfo(path).Length.Should().BeGreaterThan(10_000, $"{name}.png holds the page");
    }

    public static async Task<string> TextAsync(IPage page, string selector) => (await page.Locator(selector).First.TextContentAsync())?.Trim() ?? string.Empty;
}
