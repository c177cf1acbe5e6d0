using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Torch.Training;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>The page survives its server's restart: it reconnects, resumes after the last event and the chart has no hole.</summary>
[Collection(nameof(BrowserCollection))]
public sealed class DashboardReconnectTests(BrowserFixture browser)
{
    [FashionMnistFact]
    public async Task ServerRestart_PageReconnectsAndTheChartContinuesWithoutHoles()
    {
        using var directory = new TempDirectory();
        var database = Path.Combine(directory.Path, "central.db");
        var port = FreePort();
        void Central(ITrainInsightBuilder b) => b.AddSqliteStore(o => o.Path = database);
        void Dashboard(DashboardOptions o)
        {
            o.HistoryPointsPerMetric = DashboardOptions.MaxHistoryPointsPerMetric; // every point, so a hole would show
            o.LivePointsPerChart = 1_000_000;
        }

        var central = await DashboardHost.StartAsync(port, Central, dashboard: Dashboard);
        try
        {
            // The trainer runs in its own host and pushes to the central one, buffering and retrying while that is down.
            await using var trainer = await DashboardHost.StartAsync(configure: b => b.AddHttpIngestSink(
                new Uri(central.BaseAddress, "api/ingest"),
                o =>
                {
                    o.FlushInterval = TimeSpan.FromMilliseconds(100);
                    o.InitialRetryDelay = TimeSpan.FromMilliseconds(200);
                    o.MaxRetryDelay = TimeSpan.FromSeconds(1);
                }));
            trainer.StartTraining(new VisionTrainerOptions { Epochs = 50, BatchSize = 64, Seed = 7, Optimizer = TrainerOptimizer.Adam, LearningRate = 0.001 });
            var runId = await trainer.WaitForStepAsync(5);
            var page = await browser.NewPageAsync();
            await PageDriver.OpenAsync(page, central.BaseAddress);
            await PageDriver.UntilAsync(() => PageDriver.SeriesAsync(page, runId, "train_loss"), s => s.Steps.Length > 20, "the page shows the run");

            await central.DisposeAsync();
            await PageDriver.UntilAsync(async () => (await PageDriver.StateAsync(page)).GetProperty("connection").GetString(), c => c != "live", "the page sees the server gone");
            var before = (await PageDriver.SeriesAsync(page, runId, "train_loss")).Steps.Length;
            await Task.Delay(2_000);

            central = await DashboardHost.StartAsync(port, Central, dashboard: Dashboard);
            await PageDriver.UntilAsync(async () => (await PageDriver.StateAsync(page)).GetProperty("connection").GetString(), c => c == "live", "the page reconnects");
            var (steps, values) = await PageDriver.UntilAsync(() => PageDriver.SeriesAsync(page, runId, "train_loss"), s => s.Steps.Length > before + 40, "the chart continues after the restart");

            steps.Zip(steps.Skip(1), (a, b) => b - a).Should().OnlyContain(d => d == 1, "every step from the first shown to the last is there: no hole, no duplicate");
            values.Should().OnlyContain(v => v.HasValue);
            await PageDriver.ScreenshotAsync(page, "after-restart-en");
        }
        finally
        {
            await central.DisposeAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
