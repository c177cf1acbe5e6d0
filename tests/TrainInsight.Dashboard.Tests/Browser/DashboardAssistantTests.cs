using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TrainInsight.Torch.Training;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>Findings and the assistant's chat on the page, against real training: from the rules, and from a (fake) model.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class DashboardAssistantTests(BrowserFixture browser)
{
    /// <summary>Counts how often the newest answer's text changed, so a streamed answer can be told from one written at once.</summary>
    private const string CountTextChanges = """
        () => {
          window.__changes = 0;
          new MutationObserver(() => window.__changes++).observe(document.getElementById('chat-log'), { subtree: true, childList: true, characterData: true });
        }
        """;

    [FashionMnistFact]
    public async Task DivergingRun_ShowsTheFindingAndTheQuickButtonsAnswerFromTheRulesStreamed()
    {
        await using var host = await DashboardHost.StartAsync(configure: b => b.AddDiagnostics().AddLlm());
        host.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 32, Seed = 3, Optimizer = TrainerOptimizer.SgdMomentum, LearningRate = 10 });
        await host.WaitForStepAsync(2);
        var page = await browser.NewPageAsync();
        await PageDriver.OpenAsync(page, host.BaseAddress);

        var finding = page.Locator("#findings .card[data-severity=critical][data-state=open]").First;
        await finding.WaitForAsync();
        var label = (await finding.Locator(".title").TextContentAsync())!;
        label.Should().BeOneOf("divergence", "learning_rate_too_high", "exploding_gradients");
        (await PageDriver.StateAsync(page)).GetProperty("runs")[0].GetProperty("markers").GetInt32().Should().BeGreaterThan(0, "the finding is marked on the charts");

        await page.EvaluateAsync(CountTextChanges);
        await page.GetByRole(AriaRole.Button, new() { Name = "Analyse the current training" }).ClickAsync();
        var answer = page.Locator(".msg.assistant[data-role=answer][data-source]").Last;
        await answer.WaitForAsync();
        (await answer.GetAttributeAsync("data-source")).Should().Be("rules", "no chat client is registered");
        (await answer.Locator(".foot .badge").TextContentAsync()).Should().Be("rules");
        (await answer.Locator(".text").TextContentAsync()).Should().Contain(label, "the analysis is grounded in the open finding");
        (await answer.Locator(".foot").TextContentAsync()).Should().Contain("No IChatClient is registered");

        await page.GetByRole(AriaRole.Button, new() { Name = "Diagnose training problems" }).ClickAsync();
        await page.Locator(".msg.assistant[data-role=answer][data-source]").Nth(1).WaitForAsync();
        (await page.Locator(".msg.assistant[data-role=answer]").Nth(1).Locator(".text").TextContentAsync()).Should().Contain("[critical]").And.Contain(label);
        await PageDriver.ScreenshotAsync(page, "diverging-rules-en");
    }

    [FashionMnistFact]
    public async Task Chat_WithAModel_StreamsTheAnswerTokenByTokenLabelledModel()
    {
        string[] pieces = ["The ", "loss ", "falls ", "steadily: ", "keep ", "the ", "learning ", "rate ", "at ", "0.001 ", "for ", "now."];
        var model = new SlowChatClient(pieces, TimeSpan.FromMilliseconds(120));
        await using var host = await DashboardHost.StartAsync(configure: b => b.AddLlm(), services: s => s.AddSingleton<IChatClient>(model));
        host.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 32, Seed = 7, Optimizer = TrainerOptimizer.Adam, LearningRate = 0.001 });
        await host.WaitForStepAsync(5);
        var page = await browser.NewPageAsync();
        await PageDriver.OpenAsync(page, host.BaseAddress);
        await page.EvaluateAsync(CountTextChanges);

        await page.GetByLabel("Message").FillAsync("How is the run going?");
        await page.GetByLabel("Message").PressAsync("Enter");

        var answer = page.Locator(".msg.assistant[data-role=answer]").Last;
        await PageDriver.UntilAsync(async () => (await answer.Locator(".text").TextContentAsync()) ?? "", t => t.Length is > 0 and < 20, "the first tokens show before the answer is complete");
        await PageDriver.UntilAsync(async () => await answer.GetAttributeAsync("data-source") ?? "", s => s == "model", "the answer completes");
        (await answer.Locator(".text").TextContentAsync()).Should().Be(string.Concat(pieces));
        (await answer.Locator(".foot .badge").TextContentAsync()).Should().Be("model");
        (await page.EvaluateAsync<int>("() => window.__changes")).Should().BeGreaterThanOrEqualTo(pieces.Length, "each token was shown as it arrived");
        (await page.Locator(".msg.user").Last.TextContentAsync()).Should().Be("How is the run going?");
        model.Calls.Should().BeGreaterThan(0);
    }
}
