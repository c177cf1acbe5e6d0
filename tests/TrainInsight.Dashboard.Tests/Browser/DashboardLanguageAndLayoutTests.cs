using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TrainInsight.Torch.Training;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>The Chinese UI, phone width, dark mode and keyboard use.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class DashboardLanguageAndLayoutTests(BrowserFixture browser)
{
    [FashionMnistFact]
    public async Task ChineseBrowser_RendersTheChineseUiAndSwitchesToEnglish()
    {
        File.Exists("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc").Should().BeTrue("eng/setup-browser.sh installs fonts-noto-cjk, without which Chinese renders as boxes");
        await using var host = await DashboardHost.StartAsync(configure: b => b.AddLlm());
        host.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 32, Seed = 7, Optimizer = TrainerOptimizer.Adam, LearningRate = 0.001 });
        await host.WaitForStepAsync(5);
        var page = await browser.NewPageAsync(locale: "zh-CN");
        await PageDriver.OpenAsync(page, host.BaseAddress);
        await PageDriver.UntilAsync(() => PageDriver.ChartPointsAsync(page, "loss"), n => n > 5, "the loss chart has points");

        (await page.EvaluateAsync<string>("() => document.documentElement.lang")).Should().Be("zh-CN");
        (await page.Locator("[data-quick=analyze]").TextContentAsync()).Should().Be("分析当前训练状态");
        (await page.Locator("[data-quick=suggest]").TextContentAsync()).Should().Be("获取优化建议");
        (await page.Locator("[data-quick=diagnose]").TextContentAsync()).Should().Be("诊断训练问题");
        (await page.Locator("[data-chart=loss] h3").TextContentAsync()).Should().Be("损失");
        (await PageDriver.TextAsync(page, "[data-stat=state] b")).Should().StartWith("训练中");
        // A glyph the CJK font draws is wider than the boxes a missing font leaves, and as wide as the font says.
        var width = await page.EvaluateAsync<double>("() => { const c = document.createElement('canvas').getContext('2d'); c.font = '20px \"Noto Sans CJK SC\"'; return c.measureText('训练').width; }");
        width.Should().BeInRange(38, 42, "two CJK glyphs at 20px are 40px wide in Noto Sans CJK");
        await PageDriver.ScreenshotAsync(page, "training-zh-1280x800");

        await page.Locator("#language").ClickAsync();
        (await page.Locator("[data-quick=analyze]").TextContentAsync()).Should().Be("Analyse the current training");
        (await page.EvaluateAsync<string>("() => document.documentElement.lang")).Should().Be("en");
    }

    [FashionMnistFact]
    public async Task PhoneWidthInDarkMode_FitsWithoutSideScrollingAndEveryControlHasAName()
    {
        await using var host = await DashboardHost.StartAsync(configure: b => b.AddLlm());
        host.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 32, Seed = 7, Optimizer = TrainerOptimizer.Adam, LearningRate = 0.001 });
        await host.WaitForStepAsync(5);
        var page = await browser.NewPageAsync(width: 390, height: 844, colorScheme: ColorScheme.Dark);
        await PageDriver.OpenAsync(page, host.BaseAddress);
        await PageDriver.UntilAsync(() => PageDriver.ChartPointsAsync(page, "loss"), n => n > 5, "the loss chart has points");

        (await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth")).Should().BeTrue("nothing sticks out sideways at phone width");
        (await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor")).Should().Be("rgb(15, 18, 22)", "the dark theme follows the system");
        var unnamed = await page.EvaluateAsync<string[]>("""
            () => [...document.querySelectorAll('button, select, input, textarea')]
              .filter(e => e.offsetParent !== null || e.closest('dialog') === null)
              .filter(e => !(e.getAttribute('aria-label') || e.textContent.trim() || (e.labels && [...e.labels].some(l => l.textContent.trim()))))
              .map(e => e.outerHTML.slice(0, 80))
            """);
        unnamed.Should().BeEmpty("every control has an accessible name");
        await PageDriver.ScreenshotAsync(page, "phone-dark");

        // Keyboard: Tab reaches the message box and Enter sends.
        await page.Locator("#chat-input").FocusAsync();
        await page.Keyboard.TypeAsync("status?");
        await page.Keyboard.PressAsync("Enter");
        await page.Locator(".msg.user").First.WaitForAsync();
        (await page.Locator(".msg.user").First.TextContentAsync()).Should().Be("status?");
    }
}
