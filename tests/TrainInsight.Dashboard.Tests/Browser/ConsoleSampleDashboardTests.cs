using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>
/// What the issue calls done: a person opens the console sample's dashboard while it trains, sees the curves move and a
/// finding appear, asks for an analysis, pauses the run and approves a suggestion. The sample runs as a user runs it.
/// </summary>
[Collection(nameof(BrowserCollection))]
public sealed partial class ConsoleSampleDashboardTests(BrowserFixture browser)
{
    [FashionMnistFact]
    public async Task ConsoleSample_PersonAtTheDashboard_SeesCurvesAndAFindingAsksPausesAndApproves()
    {
        var sample = RepositoryFiles.PathOf("samples", "TrainInsight.Samples.Console", "bin", "Release", "net10.0", "traininsight-sample.dll");
        File.Exists(sample).Should().BeTrue("the test project builds the sample");
        using var process = Process.Start(new ProcessStartInfo("dotnet",
            [sample, "--model", "mlp", "--epochs", "20", "--limit", "8192", "--batch-size", "32", "--metrics-interval", "1", "--optimizer", "sgd", "--lr", "3",
             "--no-db", "--no-checkpoints", "--urls", "http://127.0.0.1:0"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        })!;
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            var address = await ReadDashboardAddressAsync(process.StandardOutput);
            var page = await browser.NewPageAsync();
            await PageDriver.OpenAsync(page, address);

            // The curves move.
            var first = await PageDriver.UntilAsync(() => PageDriver.ChartPointsAsync(page, "loss"), n => n > 0, "the loss chart has points");
            await PageDriver.UntilAsync(() => PageDriver.ChartPointsAsync(page, "loss"), n => n > first + 10, "the loss chart moves");

            // A finding appears, and its fix waits as a proposal.
            await page.Locator("#findings .card[data-state=open][data-severity=critical], #findings .card[data-state=open][data-severity=warning]").First.WaitForAsync();
            var proposal = page.Locator("#proposals .card[data-state=pending]").First;
            await proposal.WaitForAsync();

            // An analysis, from the rules (the sample has no model unless --llm is given).
            await page.GetByRole(AriaRole.Button, new() { Name = "Analyse the current training" }).ClickAsync();
            var answer = page.Locator(".msg.assistant[data-role=answer][data-source]").Last;
            await answer.WaitForAsync();
            (await answer.GetAttributeAsync("data-source")).Should().Be("rules");

            // Pause, then resume.
            await page.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true }).ClickAsync();
            await PageDriver.UntilAsync(() => PageDriver.TextAsync(page, "[data-stat=state] b"), s => s.StartsWith("paused", StringComparison.Ordinal), "the run is paused");
            await PageDriver.ScreenshotAsync(page, "console-sample-paused");
            await page.GetByRole(AriaRole.Button, new() { Name = "Resume", Exact = true }).ClickAsync();
            await PageDriver.UntilAsync(() => PageDriver.TextAsync(page, "[data-stat=state] b"), s => s.StartsWith("training", StringComparison.Ordinal), "the run trains again");

            // Approve the pending suggestion (a newer finding may supersede one; take the pending one at the time).
            var approved = false;
            for (var attempt = 0; attempt < 5 && !approved; attempt++)
            {
                var card = page.Locator("#proposals .card[data-state=pending]").First;
                await card.WaitForAsync();
                var id = await card.GetAttributeAsync("data-proposal");
                await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
                await page.Locator("#confirm-dialog").GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
                var state = await PageDriver.UntilAsync(
                    async () => await page.Locator($"[data-proposal='{id}']").GetAttributeAsync("data-state") ?? "",
                    s => s is not "pending" and not "approved", "the proposal is settled");
                approved = state == "applied";
            }

            approved.Should().BeTrue("an approved suggestion is applied to the live run");
            await PageDriver.ScreenshotAsync(page, "console-sample-approved");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        _ = await stderr;
    }

    private static async Task<Uri> ReadDashboardAddressAsync(StreamReader output)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var seen = new List<string>();
        while (await output.ReadLineAsync(cts.Token) is { } line)
        {
            seen.Add(line);
            if (DashboardLine().Match(line) is { Success: true } match)
            {
                // Keep draining the sample's output, so its writes never block on a full pipe.
                _ = Task.Run(async () =>
                {
                    while (await output.ReadLineAsync() is not null)
                    {
                    }
                });
                return new Uri(match.Groups[1].Value);
            }
        }

        throw new InvalidOperationException("The sample printed no dashboard address:\n" + string.Join('\n', seen));
    }

    [GeneratedRegex(@"dashboard:\s+(http://127\.0\.0\.1:\d+/)")]
    private static partial Regex DashboardLine();
}
