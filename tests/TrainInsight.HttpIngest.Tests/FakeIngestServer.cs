using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace TrainInsight.HttpIngest.Tests;

/// <summary>
/// A real Kestrel host on loopback with a scripted <c>POST /api/ingest</c>: by default it answers 202 with
/// <c>{"accepted":n,"duplicates":0}</c> and records the batch; <see cref="Respond"/> can answer otherwise.
/// </summary>
internal sealed class FakeIngestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private FakeIngestServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Gets how many requests arrived.</summary>
    public int RequestCount => Volatile.Read(ref _requests);

    /// <summary>Gets the events of every batch answered with the default 202, in arrival order.</summary>
    public ConcurrentQueue<ReceivedEvent> Received { get; } = new();

    /// <summary>Gets the bodies of every batch answered with the default 202.</summary>
    public ConcurrentQueue<JsonElement> Batches { get; } = new();

    /// <summary>
    /// Answers request number n (0-based) itself when it returns true; otherwise the default answer is given.
    /// </summary>
    public Func<int, HttpContext, Task<bool>>? Respond { get; set; }

    /// <summary>Returns a loopback port nobody listens on (now).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static Uri EndpointAt(int port) => new($"http://127.0.0.1:{port}/api/ingest");

    public static async Task<FakeIngestServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        FakeIngestServer? server = null;
        app.MapPost("/api/ingest", (HttpContext context) => server!.HandleAsync(context));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server = new FakeIngestServer(app, new Uri(address.TrimEnd('/') + "/api/ingest"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var index = Interlocked.Increment(ref _requests) - 1;
        if (Respond is { } respond && await respond(index, context))
        {
            return;
        }

        using var document = await JsonDocument.ParseAsync(context.Request.Body);
        var batch = document.RootElement.Clone();
        var count = 0;
        foreach (var run in batch.GetProperty("runs").EnumerateArray())
        {
            var runId = run.GetProperty("run").GetProperty("id").GetString()!;
            foreach (var item in run.GetProperty("events").EnumerateArray())
            {
                Received.Enqueue(new ReceivedEvent(runId, item.GetProperty("sequence").GetInt64(), item));
                count++;
            }
        }

        Batches.Enqueue(batch);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$"""{"accepted":{{count}},"duplicates":0,"runs":[]}""");
    }
}

internal sealed record ReceivedEvent(string RunId, long Sequence, JsonElement Json);
