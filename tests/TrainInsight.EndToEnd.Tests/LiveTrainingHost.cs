using System.Net.ServerSentEvents;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TrainInsight.Streaming;
using TrainInsight.Torch;
using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>
/// A real Kestrel server on 127.0.0.1 (port 0) with the TrainInsight endpoints, and a real TorchSharp training of
/// SmallCnn on a Fashion-MNIST subset running on its own thread.
/// </summary>
internal sealed class LiveTrainingHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private readonly ImageClassificationData _train;
    private readonly ImageClassificationData _validation;
    private readonly SmallCnn _model = new();
    private Task<TrainingSummary>? _training;

    private LiveTrainingHost(WebApplication app, ImageClassificationData train, ImageClassificationData validation)
    {
        _app = app;
        _train = train;
        _validation = validation;
    }

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

    public Uri BaseAddress { get; private set; } = null!;

    public ITelemetryBus Bus => _app.Services.GetRequiredService<ITelemetryBus>();

    public ITrainingControl Control => _app.Services.GetRequiredService<ITrainingControl>();

    public IServiceProvider Services => _app.Services;

    public Task<TrainingSummary> Training => _training ?? throw new InvalidOperationException("Training has not started.");

    public static async Task<LiveTrainingHost> StartAsync(
        int metricsInterval,
        Action<StreamingOptions>? streaming = null,
        int trainImages = 4_000,
        Action<TrainInsightOptions>? bus = null,
        Action<ITrainInsightBuilder>? configure = null,
        Action<TorchMonitorOptions>? torch = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var trainInsight = builder.Services.AddTrainInsight(bus).AddTorch(o =>
        {
            o.MetricsInterval = metricsInterval;
            torch?.Invoke(o);
        }).AddStreaming(streaming);
        configure?.Invoke(trainInsight);
        var app = builder.Build();
        app.UseWebSockets();
        app.MapTrainInsight();
        await app.StartAsync();
        var host = new LiveTrainingHost(
            app,
            FashionMnist.Load(FashionMnist.DefaultDirectory, train: true, limit: trainImages),
            FashionMnist.Load(FashionMnist.DefaultDirectory, train: false, limit: 500));
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        host.BaseAddress = new Uri(address);
        host.Http.BaseAddress = host.BaseAddress;
        return host;
    }

    public void StartTraining(VisionTrainerOptions options)
    {
        var trainer = new VisionTrainer(_app.Services.GetRequiredService<TrainingMonitor>(), options);
        _training = Task.Factory.StartNew(
            () => trainer.Train(_model, _train, _validation, _stop.Token),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }

    /// <summary>Opens the SSE stream and yields parsed items (event type, id, JSON data).</summary>
    public async IAsyncEnumerable<SseItem<JsonElement>> ReadSseAsync(
        string? lastEventId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/stream/metrics" + query);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var parser = SseParser.Create(stream, (_, data) => JsonDocument.Parse(data.ToArray()).RootElement.Clone());
        await foreach (var item in parser.EnumerateAsync(cancellationToken))
        {
            yield return item;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_training is not null)
        {
            try
            {
                await _training.WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (Exception) when (_training.IsFaulted || _training.IsCanceled)
            {
            }
        }

        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _model.Dispose();
        _train.Dispose();
        _validation.Dispose();
        _stop.Dispose();
    }
}
