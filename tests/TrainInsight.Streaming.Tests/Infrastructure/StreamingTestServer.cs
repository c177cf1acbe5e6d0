using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace TrainInsight.Streaming.Tests.Infrastructure;

/// <summary>
/// A real Kestrel host on a free loopback port with TrainInsight streaming mapped, for end-to-end endpoint tests.
/// Publish on <see cref="Bus"/>, steer through <see cref="Control"/>, talk HTTP through <see cref="Client"/>.
/// </summary>
internal sealed class StreamingTestServer : IAsyncDisposable
{
    private StreamingTestServer(WebApplication app, Uri baseAddress)
    {
        App = app;
        BaseAddress = baseAddress;
        Bus = app.Services.GetRequiredService<ITelemetryBus>();
        Control = app.Services.GetRequiredService<ITrainingControl>();
        Store = app.Services.GetRequiredService<IMetricStore>();
        // No draining of abandoned responses: a disposed SSE response closes its connection at once, as a closed tab does.
        var handler = new SocketsHttpHandler { MaxResponseDrainSize = 0, PooledConnectionLifetime = TimeSpan.FromMinutes(1) };
        Client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    public ITelemetryBus Bus { get; }

    public ITrainingControl Control { get; }

    /// <summary>Gets the store the bus writes to (an <see cref="InMemoryMetricStore"/> unless the test registered another).</summary>
    public IMetricStore Store { get; }

    public HttpClient Client { get; }

    /// <summary>Builds and starts a host.</summary>
    /// <param name="configureStreaming">Changes the streaming settings; the heartbeat defaults to 200 ms here.</param>
    /// <param name="configureBus">Changes the bus settings.</param>
    /// <param name="prefix">The MapTrainInsight prefix.</param>
    /// <param name="configureEndpoints">Receives the builder MapTrainInsight returns.</param>
    /// <param name="shutdownTimeout">How long stopping waits for open requests. The default is 5 seconds.</param>
    /// <param name="useWebSockets">Whether the host adds the WebSocket middleware, as hosts must. The default is true.</param>
    /// <param name="port">The loopback port to listen on. The default is 0, a free one.</param>
    /// <param name="configureServices">Adds host services before TrainInsight's (an IMetricStore registered here replaces the default).</param>
    /// <param name="configureApp">Adds host middleware and endpoints before MapTrainInsight (such as app.UseCors()).</param>
    public static async Task<StreamingTestServer> StartAsync(
        Action<StreamingOptions>? configureStreaming = null,
        Action<TrainInsightOptions>? configureBus = null,
        string prefix = "",
        Action<IEndpointConventionBuilder>? configureEndpoints = null,
        TimeSpan? shutdownTimeout = null,
        bool useWebSockets = true,
        int port = 0,
        Action<IServiceCollection>? configureServices = null,
        Action<WebApplication>? configureApp = null)
    {
        // No configuration sources at all: no appsettings files, no file watchers, no environment variables.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = shutdownTimeout ?? TimeSpan.FromSeconds(5));
        configureServices?.Invoke(builder.Services);
        builder.Services
            .AddTrainInsight(configureBus)
            .AddStreaming(o =>
            {
                o.HeartbeatInterval = TimeSpan.FromMilliseconds(200);
                configureStreaming?.Invoke(o);
            });

        var app = builder.Build();
        if (useWebSockets)
        {
            app.UseWebSockets();
        }

        configureApp?.Invoke(app);

        var endpoints = app.MapTrainInsight(prefix);
        configureEndpoints?.Invoke(endpoints);
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new StreamingTestServer(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Gets the ws:// address of a path on this host.</summary>
    public Uri WebSocketUri(string pathAndQuery) =>
        new(new UriBuilder(BaseAddress) { Scheme = "ws" }.Uri, pathAndQuery.TrimStart('/'));

    /// <summary>Publishes events and waits until the bus has dispatched everything published so far.</summary>
    public async Task PublishAsync(params TrainInsightEvent[] events)
    {
        foreach (var item in events)
        {
            Bus.TryPublish(item).Should().BeTrue();
        }

        await WaitForDispatchAsync().ConfigureAwait(false);
    }

    /// <summary>Waits until every event accepted so far was dispatched (or dropped at ingest).</summary>
    public Task WaitForDispatchAsync() => Poll.UntilAsync(() =>
    {
        var statistics = Bus.GetStatistics();
        return statistics.Dispatched + statistics.DroppedAtIngest == statistics.Published;
    }, "the bus to dispatch every published event");

    /// <summary>Waits until the store holds every metric and training event up to <paramref name="last"/> (published already).</summary>
    public Task WaitForStoreAsync(TrainInsightEvent last)
    {
        var store = App.Services.GetRequiredService<IMetricStore>();
        return Poll.UntilAsync(() => store.LoadState().LastOffset >= last.Offset && last.Offset > 0, $"the store to hold offset {last.Offset}");
    }

    /// <summary>Waits until the store holds every event dispatched so far (its writer flushes every StoreFlushInterval).</summary>
    public Task WaitForStoreAsync() => Poll.UntilAsync(() =>
    {
        var last = Bus.GetStatistics().LastOffset;
        var newest = Store.ReadEventsAsync(Math.Max(0, last - 1), 1).GetAwaiter().GetResult();
        return newest.Count == 1 && newest[0].Offset == last;
    }, "the store to hold every dispatched event");

    /// <summary>Waits until the bus has at least <paramref name="count"/> subscribers.</summary>
    public Task WaitForSubscribersAsync(int count) =>
        Poll.UntilAsync(() => Bus.GetStatistics().Subscribers >= count, $"{count} subscriber(s) on the bus");

    /// <summary>Opens an SSE stream and returns once its headers have arrived (the server has subscribed by then).</summary>
    public async Task<HttpResponseMessage> OpenSseAsync(string pathAndQuery, CancellationToken cancellationToken, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        return await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
