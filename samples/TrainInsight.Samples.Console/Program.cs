using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using TrainInsight;
using TrainInsight.Diagnostics;
using TrainInsight.HttpIngest;
using TrainInsight.Samples.Console;
using TrainInsight.Torch;
using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;

SampleSettings settings;
try
{
    settings = SampleSettings.Parse(args);
}
catch (FormatException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

// Redirected to a file or a pipe, Spectre.Console would wrap every line at 80 columns and cut the printed commands
// (curl …) in two; lines are as long as they need to be there.
if (Console.IsOutputRedirected)
{
    AnsiConsole.Profile.Width = 4_096;
}

if (settings.ShowHelp)
{
    Console.WriteLine(SampleSettings.Usage);
    return 0;
}

// Fail fast, with one clear message, when the data set is missing or damaged.
ImageClassificationData train, test;
try
{
    train = FashionMnist.Load(settings.DataDirectory, train: true, settings.Limit);
    test = FashionMnist.Load(settings.DataDirectory, train: false);
}
catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or InvalidDataException)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    return 2;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
builder.WebHost.UseUrls(settings.Urls);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var trainInsight = builder.Services.AddTrainInsight()
    .AddTorch(o =>
    {
        o.MetricsInterval = settings.MetricsInterval;
        o.LayerStatistics = o.ActivationStatistics = settings.StatisticsInterval > 0;
        o.StatisticsInterval = Math.Max(1, settings.StatisticsInterval);
        o.CheckpointDirectory = settings.Checkpoints;
        o.EarlyStopping = settings.EarlyStopPatience is { } patience ? new EarlyStoppingOptions { Patience = patience } : null;
        o.TensorBoardLogDirectory = settings.TensorBoardDirectory;
    })
    .AddStreaming();
if (settings.Database is { } database)
{
    // Every run's events, metric points and control audit trail survive restarts; offsets continue.
    trainInsight.AddSqliteStore(o => o.Path = database);
}

if (settings.Diagnostics)
{
    // Every run is diagnosed live, off the training thread: findings (divergence, overfitting, ...) go onto the bus, so
    // they stream with the metrics, are stored, and the progress view below shows them as they are raised and resolved.
    trainInsight.AddDiagnostics();

    // The assistant explains the findings, suggests changes and chats about the run at /api/assistant/*: from a model the
    // host picks (--llm; the SDK never creates one), or from the diagnosis's rules, labelled as such, without one.
    try
    {
        if (settings.Llm.Create() is { } chatClient)
        {
            builder.Services.AddSingleton(chatClient);
        }
    }
    catch (FormatException ex)
    {
        Console.Error.WriteLine($"error: {ex.Message}");
        return 2;
    }

    // Findings' fixes, suggestions and chat commands ("pause", "halve the learning rate") become proposals that wait for a
    // person: POST /api/proposals/{id}/approve applies one at the next step boundary, after a checkpoint, and its effect
    // is measured (GET /api/proposals/{id}); one that hurt gets a revert proposal. Nothing applies itself (AutoApply off).
    trainInsight.AddProposals();
    trainInsight.AddLlm();
}

if (settings.PushTo is { } central)
{
    // Also forward everything to a central host: batched, retried, never on the training thread; flushed at stop.
    trainInsight.AddHttpIngestSink(new Uri(central, "api/ingest"));
}


await using var app = builder.Build();
app.UseWebSockets();
app.MapTrainInsight();
// The live dashboard at "/": charts, findings, the assistant's chat, proposals to approve, and the run's controls.
app.MapTrainInsightDashboard("/");


try
{
    await app.StartAsync();
}
catch (IOException ex)
{
    Console.Error.WriteLine($"error: cannot listen on {settings.Urls}: {ex.Message} Use --urls to choose another address.");
    return 2;
}

var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
var modelName = settings.Model switch { "mlp" => "Mlp", "resnet" => "SmallResNet", _ => "SmallCnn" };
AnsiConsole.MarkupLine($"[bold]TrainInsight sample[/] - {modelName} on Fashion-MNIST ({train.Count:N0} training, {test.Count:N0} test images)");
AnsiConsole.MarkupLine($"  dashboard:    [link]{baseUrl}/[/]   (open it in a browser)");
AnsiConsole.MarkupLine($"  live stream:  [link]{baseUrl}/api/stream/metrics[/]   (try: curl -N {baseUrl}/api/stream/metrics)");
AnsiConsole.MarkupLine($"  websocket:    {baseUrl.Replace("http", "ws", StringComparison.Ordinal)}/ws/metrics");
AnsiConsole.MarkupLine($"  current:      {baseUrl}/api/metrics/current");
AnsiConsole.MarkupLine($"  runs:         {baseUrl}/api/runs{(settings.Database is null ? string.Empty : $"   (history kept in {Markup.Escape(settings.Database)})")}");
if (settings.Diagnostics)
{
    AnsiConsole.MarkupLine($"  findings:     {baseUrl}/api/runs/<run id>/findings   (shown below as they are raised; --no-diagnostics turns them off)");
    AnsiConsole.MarkupLineInterpolated($"  assistant:    curl -N {baseUrl}/api/assistant/chat -H 'Content-Type: application/json' -d '{{\"run_id\":\"<run id>\",\"message\":\"How is it going?\"}}'   ({settings.Llm.Describe()})");
}

AnsiConsole.MarkupLine($"  control:      curl -X POST {baseUrl}/api/training/control -H 'Content-Type: application/json' -d '{{\"action\":\"pause\"}}'");
AnsiConsole.MarkupLine(settings.Checkpoints is null
    ? "  Ctrl+C stops training cleanly."
    : $"  Ctrl+C stops training cleanly; checkpoints go to {Markup.Escape(Path.GetFullPath(settings.Checkpoints))}.");

// Ctrl+C (or SIGTERM) makes the host stop; the trainer sees it at the next step boundary.
var stopping = app.Lifetime.ApplicationStopping;
var bus = app.Services.GetRequiredService<ITelemetryBus>();
using var subscription = bus.Subscribe(new SubscriptionOptions { Capacity = 4_096 });

var push = app.Services.GetService<HttpIngestSink>();
if (settings.PushTo is { } target)
{
    AnsiConsole.MarkupLineInterpolated($"  pushing to:   {new Uri(target, "api/ingest")}");
}
if (settings.TensorBoardDirectory is { } tensorBoard)
{
    AnsiConsole.MarkupLineInterpolated($"  tensorboard:  {Path.GetFullPath(tensorBoard)}/<run id>   (tensorboard --logdir {tensorBoard})");
}

var trainer = new VisionTrainer(app.Services.GetRequiredService<TrainingMonitor>(), new VisionTrainerOptions
{
    Epochs = settings.Epochs,
    BatchSize = settings.BatchSize,
    LearningRate = settings.LearningRate,
    Seed = settings.Seed,
    Optimizer = settings.Optimizer,
    Schedule = settings.Schedule,
    StepSizeEpochs = 3,
    WarmupSteps = settings.WarmupSteps,
    Augment = settings.Augment,
    RunName = $"fashion-mnist-{settings.Model}",
});

// Seed before the model exists, so its initial weights (and the whole run) are reproducible.
TorchSharp.torch.random.manual_seed(settings.Seed);
using TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor> model = settings.Model switch
{
    "mlp" => new Mlp(train.Channels, train.Height, train.Width, [256, 128], train.ClassNames.Count),
    "resnet" => new SmallResNet(train.Channels, train.ClassNames.Count),
    _ => new SmallCnn(),
};
var training = Task.Factory.StartNew(
    () => trainer.Train(model, train, test, stopping),
    CancellationToken.None,
    TaskCreationOptions.LongRunning,
    TaskScheduler.Default);

await ProgressView.ShowAsync(subscription, settings.Epochs * train.BatchCount(settings.BatchSize), training, settings.Diagnostics);

TrainingSummary summary;
try
{
    summary = await training;
}
catch (Exception ex)
{
    AnsiConsole.MarkupLineInterpolated($"[red]Training failed:[/] {ex.GetType().Name}: {ex.Message}");
    await app.StopAsync();
    return 1;
}

AnsiConsole.MarkupLineInterpolated(
    $"Run [bold]{summary.Run.Id}[/] {summary.State.ToString().ToLowerInvariant()} after {summary.Steps:N0} steps, {summary.EpochsCompleted} epochs in {summary.Elapsed:mm\\:ss}.");
if (summary.ValidationAccuracy is { } accuracy)
{
    AnsiConsole.MarkupLineInterpolated($"Test accuracy {accuracy:P2}, test loss {summary.ValidationLoss:F4}.");
}

if (app.Services.GetService<DiagnosisEngine>() is { } diagnosis)
{
    AnsiConsole.WriteLine(ProgressView.DescribeFindings(diagnosis.GetFindings(summary.Run.Id)));
}

if (app.Services.GetService<ITrainingAssistant>() is { } assistant)
{
    var analysis = await assistant.AnalyzeAsync(new AssistantRequest(summary.Run.Id));
    AnsiConsole.MarkupLineInterpolated($"[bold]Assistant[/] ({(analysis.Source == AssistantSource.Model ? analysis.ModelId ?? "model" : "rules")}, {analysis.Elapsed.TotalMilliseconds:N0} ms):");
    AnsiConsole.WriteLine(analysis.Text);
    if (analysis.Notice is { } notice)
    {
        AnsiConsole.MarkupLineInterpolated($"[grey]{notice}[/]");
    }
}

if (settings.KeepServing && !stopping.IsCancellationRequested)
{
    AnsiConsole.MarkupLine("Training is over; still serving. Press Ctrl+C to exit.");
    await app.WaitForShutdownAsync();
}

// Stopping the host flushes the ingest sink (bounded by HttpIngestSinkOptions.DisposeTimeout).
await app.StopAsync();
if (push is not null)
{
    AnsiConsole.MarkupLineInterpolated($"Pushed {push.SentCount:N0} events ({push.DroppedCount:N0} dropped, {push.RejectedCount:N0} rejected).");
}

train.Dispose();
test.Dispose();
return 0;
