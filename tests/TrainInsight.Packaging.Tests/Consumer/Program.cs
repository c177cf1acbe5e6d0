// A fresh application that uses TrainInsight as a user does: through the packed packages only (no project
// references), set up exactly as README.md shows. PackageConsumptionTests writes it outside the repository, builds it
// against a folder feed of the packages just packed, starts it on port 0 and reads its stream.
using TorchSharp;
using TrainInsight;
using TrainInsight.Torch;
using TrainInsight.Torch.Vision;

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls("http://127.0.0.1:0");
builder.Logging.SetMinimumLevel(LogLevel.Warning);

builder.Services.AddTrainInsight()      // bus + control mailbox (TrainInsight.Core)
    .AddSqliteStore(o => o.Path = "runs.db") // history that survives restarts (TrainInsight.Sqlite)
    .AddTorch()                          // TorchSharp hooks (TrainInsight.Torch)
    .AddStreaming();                     // SSE / WebSocket / REST / ingest / OpenAPI (TrainInsight.Streaming)
var app = builder.Build();
app.UseWebSockets();                     // the host's own WebSocket settings apply
app.MapTrainInsight();                   // GET /api/stream/metrics, /ws/metrics, /api/runs, ...
await app.StartAsync();
Console.WriteLine("listening " + app.Urls.First());

// The test connects its stream client first, then says "train".
if (Console.ReadLine() != "train")
{
    return 2;
}

torch.random.manual_seed(1);
using var data = SyntheticShapes.Generate(count: 64, size: 28, seed: 1);
using var model = new SmallCnn(inputChannels: 1, classes: data.ClassNames.Count);
using var optimizer = torch.optim.Adam(model.parameters(), 0.001);
using var criterion = torch.nn.CrossEntropyLoss();
var ct = app.Lifetime.ApplicationStopping;

// In your training loop:
using var session = app.Services.GetRequiredService<TrainingMonitor>().Attach(model, optimizer, RunDescriptor.Create("my-run"));
Console.WriteLine("run " + session.Run.Id);
for (var epoch = 1; epoch <= 2; epoch++)
{
    session.BeginEpoch(epoch);
    foreach (var (x, y) in data.Batches(batchSize: 16, shuffleSeed: epoch))
    {
        using (x) using (y) using (torch.NewDisposeScope())
        {
            if (!session.WaitForStepBoundary(ct)) break;  // obeys pause / resume / stop
            optimizer.zero_grad();
            var output = model.call(x); var loss = criterion.call(output, y);
            loss.backward(); optimizer.step();
            session.RecordStep(loss, output, y);           // reads tensors only on sampled steps; telemetry never throws
        }
    }

    session.RecordEpoch();
}

session.Complete();

// Serve until the test closes standard input.
Console.ReadLine();
await app.StopAsync();
return 0;
