using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TrainInsight.Torch.Training;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>The dashboard in Debian's Chromium against a real host with a real TorchSharp training.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class DashboardPageTests(BrowserFixture browser)
{
    private static VisionTrainerOptions Healthy => new() { Epochs = 50, BatchSize = 32, Seed = 7, Optimizer = TrainerOptimizer.Adam, LearningRate = 0.001 };

    [FashionMnistFact]
    public async Task Page_WhileTraining_ChartsGainPointsAndPauseAndResumeStopAndRestartTheStepCounter()
    {
        await using var host = await DashboardHost.StartAsync();
        host.StartTraining(Healthy);
        var runId = await host.WaitForStepAsync(5);
        var page = await browser.NewPageAsync();

        await PageDriver.OpenAsync(page, host.BaseAddress);
        var first = await PageDriver.UntilAsync(() => PageDriver.ChartPointsAsync(page, "loss"), n => n > 0, "the loss chart has points");
        await PageDriver.UntilAsync(() => PageDriver.ChartPointsAsync(page, "loss"), n => n > first + 20, "the loss chart gains points as the run trains");
        (await PageDriver.StateAsync(page)).GetProperty("connection").GetString().Should().Be("live");
        (await PageDriver.ChartPointsAsync(page, "learning_rate")).Should().BeGreaterThan(0);
        (await PageDriver.ChartPointsAsync(page, "gradient_norm")).Should().BeGreaterThan(0, "the host measures gradient norms");
        (await page.Locator("#run-select").InputValueAsync()).Should().Be(runId);
        await PageDriver.ScreenshotAsync(page, "training-en-1280x800");

        // Pause: the step counter stops. Resume: it moves again.
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true }).ClickAsync();
        await PageDriver.UntilAsync(() => PageDriver.TextAsync(page, "[data-stat=state] b"), s => s.StartsWith("paused", StringComparison.Ordinal), "the page shows the run paused");
        var paused = await PageDriver.TextAsync(page, "[data-stat=step] b");
        (await PageDriver.TextAsync(page, "#control-status")).Should().Contain("Pause: applied at step");
        await Task.Delay(2_000);
        (await PageDriver.TextAsync(page, "[data-stat=step] b")).Should().Be(paused, "a paused run takes no steps");
        (await page.GetByRole(AriaRole.Button, new() { Name = "Pause", Exact = true }).IsDisabledAsync()).Should().BeTrue();
        await PageDriver.ScreenshotAsync(page, "paused-en");

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume", Exact = true }).ClickAsync();
        await PageDriver.UntilAsync(() => PageDriver.TextAsync(page, "[data-stat=step] b"), s => s != paused, "the step counter moves again after Resume");
        (await PageDriver.TextAsync(page, "[data-stat=state] b")).Should().StartWith("training");
        var markers = (await PageDriver.StateAsync(page)).GetProperty("runs")[0].GetProperty("markers").GetInt32();
        markers.Should().BeGreaterThanOrEqualTo(2, "the applied pause and resume are marked on the charts");
    }

    [FashionMnistFact]
    public async Task Proposal_ApprovedOnThePage_IsAppliedAndTheLearningRateChartShowsTheChange()
    {
        await using var host = await DashboardHost.StartAsync(configure: b => b.AddProposals(o => o.CheckpointBeforeApply = false));
        host.StartTraining(Healthy);
        var runId = await host.WaitForStepAsync(5);
        var page = await browser.NewPageAsync();
        await PageDriver.OpenAsync(page, host.BaseAddress);

        // A proposal waits for a person (made here through the API, as a colleague's tool would).
        using var created = await host.Http.PostAsync("/api/proposals", new StringContent(
            $$"""{"run_id":"{{runId}}","commands":[{"action":"set_learning_rate","value":0.0003}],"rationale":"The loss is noisy at 0.001."}""",
            Encoding.UTF8, "application/json"));
        created.StatusCode.Should().Be(HttpStatusCode.Created);
        var id = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("proposal_id").GetString()!;
        var card = page.Locator($"[data-proposal='{id}']");
        await card.WaitForAsync();
        (await card.GetAttributeAsync("data-state")).Should().Be("pending");
        (await card.TextContentAsync()).Should().Contain("The loss is noisy at 0.001.");

        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        var dialog = page.Locator("#confirm-dialog");
        (await dialog.IsVisibleAsync()).Should().BeTrue("approving asks for confirmation");
        await PageDriver.ScreenshotAsync(page, "proposal-confirm-en");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await PageDriver.UntilAsync(async () => await card.GetAttributeAsync("data-state"), s => s == "applied", "the proposal is applied");
        (long[] Steps, double?[] Values) series = await PageDriver.UntilAsync(
            () => PageDriver.SeriesAsync(page, runId, "learning_rate"), s => s.Values.Length > 0 && s.Values[^1] == 0.0003, "the learning-rate chart shows the new rate");
        var (steps, rates) = series;
        rates.Should().Contain(0.001, "the chart still shows the rate before");
        steps.Should().BeInAscendingOrder();
        await PageDriver.ScreenshotAsync(page, "proposal-applied-en");
    }

    [FashionMnistFact]
    public async Task Compare_TwoRunsTraining_OverlaysTheSecondRunOnEveryChart()
    {
        await using var host = await DashboardHost.StartAsync();
        var options = Healthy;
        options.RunName = "first";
        host.StartTraining(options);
        var first = await host.WaitForStepAsync(3);
        options = Healthy;
        options.RunName = "second";
        options.LearningRate = 0.003;
        host.StartTraining(options);
        var second = await PageDriver.UntilAsync(
            () => Task.FromResult(host.Bus.GetHistory().OfType<MetricEvent>().Select(e => e.RunId).FirstOrDefault(id => id != first)), id => id is not null, "the second run reports");
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseAddress + "#run=" + first);
        await page.WaitForFunctionAsync("() => document.body.dataset.ready === 'true'");

        await page.Locator("#compare summary").ClickAsync();
        await page.Locator($"#compare-list input[value='{second}']").CheckAsync();

        var firstTail = first[^20..];
        var secondTail = second![^20..];
        var loss = await PageDriver.UntilAsync(
            async () => (await PageDriver.StateAsync(page)).GetProperty("charts").EnumerateArray().Single(c => c.GetProperty("key").GetString() == "loss"),
            c => c.GetProperty("series").EnumerateArray().Any(l => l.GetString()!.Contains(secondTail, StringComparison.Ordinal)), "the loss chart shows the second run");
        var labels = loss.GetProperty("series").EnumerateArray().Select(l => l.GetString()!).ToList();
        labels.Should().Contain(l => l.Contains(firstTail, StringComparison.Ordinal) && l.EndsWith("train_loss", StringComparison.Ordinal))
            .And.Contain(l => l.Contains(secondTail, StringComparison.Ordinal) && l.EndsWith("train_loss", StringComparison.Ordinal));
        (await page.Locator("#run-select").InputValueAsync()).Should().Be(first, "the chosen run stays the one the panels show");
        await PageDriver.ScreenshotAsync(page, "compare-en");
    }
}
