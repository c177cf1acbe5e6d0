using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrainInsight.Torch;
using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;

namespace TrainInsight.Dashboard.Tests.Browser;

/// <summary>
/// A real Kestrel host on 127.0.0.1 with the TrainInsight endpoints and the dashboard at "/", and optionally a real
/// TorchSharp training (an MLP on a Fashion-MNIST subset) on its own thread, as the console sample runs it.
/// </summary>
internal sealed class DashboardHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IDisposable> _owned = [];
    private readonly List<Task<TrainingSummary>> _trainings = [];

    private DashboardHost(WebApplication app, Uri address)
    {
        _app = app;
        BaseAddress = address;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public ITelemetryBus Bus => _app.Services.GetRequiredService<ITelemetryBus>();

    public ITrainingControl Control => _app.Services.GetRequiredService<ITrainingControl>();

    public Task<TrainingSummary> Training => _trainings.Count > 0 ? _trainings[0] : throw new InvalidOperationException("Training has not started.");

    /// <param name="port">The port on 127.0.0.1; 0 picks a free one.</param>
    /// <param name="configure">Adds TrainInsight parts (diagnostics, proposals, the assistant, a store, an ingest sink).</param>
    /// <param name="services">Registers other services (a chat client).</param>
    /// <param name="dashboard">Sets the dashboard's options.</param>
    /// <param name="torch">Sets the TorchSharp hooks' options; metrics every step by default.</param>
    public static async Task<DashboardHost> StartAsync(
        int port = 0,
        Action<ITrainInsightBuilder>? configure = null,
        Action<IServiceCollection>? services = null,
        Action<DashboardOptions>? dashboard = null,
        Action<TorchMonitorOptions>? torch = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        var trainInsight = builder.Services.AddTrainInsight().AddTorch(o =>
        {
            o.MetricsInterval = 1;
            o.GradientNorm = true;
            torch?.Invoke(o);
        }).AddStreaming();
        configure?.Invoke(trainInsight);
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapTrainInsight();
        app.MapTrainInsightDashboard("/", dashboard);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new DashboardHost(app, new Uri(address));
    }

    /// <summary>Starts training an MLP (one hidden layer of 64) on <paramref name="images"/> Fashion-MNIST images; may be called again for a second run.</summary>
    public void StartTraining(VisionTrainerOptions options, int images = 8_000)
    {
        var train = FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: images);
        var validation = FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: 500);
        var model = new Mlp(1, 28, 28, [64], 10);
        _owned.AddRange([train, validation, model]);
        var trainer = new VisionTrainer(_app.Services.GetRequiredService<TrainingMonitor>(), options);
        _trainings.Add(Task.Factory.StartNew(
            () => trainer.Train(model, train, validation, _stop.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default));
    }

    /// <summary>Waits until the bus has a run at or past <paramref name="step"/> and returns its id.</summary>
    public async Task<string> WaitForStepAsync(long step)
    {
        await Poll.UntilAsync(() => Bus.GetCurrent() is { Step: { } s } && s >= step, $"training reaches step {step}", TimeSpan.FromSeconds(120));
        return Bus.GetCurrent()!.Run.Id;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var training in _trainings)
        {
            try
            {
                await training.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception) when (training.IsFaulted || training.IsCanceled)
            {
            }
        }

        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _stop.Dispose();
    }
}
