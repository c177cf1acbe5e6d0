using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using Microsoft.AspNetCore.Http.Features;

namespace TrainInsight.Mcp.Tests.Infrastructure;

/// <summary>
/// A real Kestrel host on a free loopback port with TrainInsight's MCP server mapped, and the SDK's own client connected to
/// it over Streamable HTTP. Publish on <see cref="Bus"/>, call tools through <see cref="Client"/>.
/// </summary>
internal sealed class McpTestServer : IAsyncDisposable
{
    public const string ClientName = "traininsight-tests";

    private McpTestServer(WebApplication app, Uri endpoint, McpClient client)
    {
        App = app;
        Endpoint = endpoint;
        Client = client;
        Bus = app.Services.GetRequiredService<ITelemetryBus>();
        Control = app.Services.GetRequiredService<ITrainingControl>();
    }

    public WebApplication App { get; }

    public Uri Endpoint { get; }

    public McpClient Client { get; }

    public ITelemetryBus Bus { get; }

    public ITrainingControl Control { get; }

    /// <summary>Builds and starts a host and connects a client.</summary>
    /// <param name="proposals">The proposal service to register, or null for a host without proposals.</param>
    /// <param name="configure">Changes the MCP settings.</param>
    /// <param name="pattern">The MapTrainInsightMcp pattern.</param>
    /// <param name="configureEndpoints">Receives the builder MapTrainInsightMcp returns.</param>
    /// <param name="configureTrainInsight">Adds more TrainInsight packages (such as AddProposals()) after AddMcp().</param>
    public static async Task<McpTestServer> StartAsync(
        Func<IServiceProvider, IProposalService>? proposals = null,
        Action<McpOptions>? configure = null,
        string pattern = "/mcp",
        Action<IEndpointConventionBuilder>? configureEndpoints = null,
        Action<ITrainInsightBuilder>? configureTrainInsight = null)
    {
        // No configuration sources at all: no appsettings files, no file watchers, no environment variables.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddRoutingCore();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        if (proposals is not null)
        {
            builder.Services.AddSingleton(proposals);
        }

        var trainInsight = builder.Services.AddTrainInsight().AddMcp(configure);
        configureTrainInsight?.Invoke(trainInsight);
        var app = builder.Build();
        var endpoints = app.MapTrainInsightMcp(pattern);
        configureEndpoints?.Invoke(endpoints);
        await app.StartAsync().ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        var endpoint = new Uri(address.TrimEnd('/') + pattern);
        var client = await ConnectAsync(endpoint).ConfigureAwait(false);
        return new McpTestServer(app, endpoint, client);
    }

    public static async Task<McpClient> ConnectAsync(Uri endpoint)
    {
        var transport = new HttpClientTransport(new HttpClientTransportOptions { Endpoint = endpoint, TransportMode = HttpTransportMode.StreamableHttp });
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        return await McpClient.CreateAsync(transport, new McpClientOptions { ClientInfo = new Implementation { Name = ClientName, Version = "1.0.0" } },
            cancellationToken: timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Publishes events and waits until the bus has dispatched everything published so far.</summary>
    public async Task PublishAsync(params TrainInsightEvent[] events)
    {
        foreach (var item in events)
        {
            Bus.TryPublish(item).Should().BeTrue();
        }

        await Poll.UntilAsync(() =>
        {
            var statistics = Bus.GetStatistics();
            return statistics.Dispatched + statistics.DroppedAtIngest == statistics.Published;
        }, "the bus to dispatch every published event").ConfigureAwait(false);
    }

    /// <summary>Calls a tool and returns its result and its one text block.</summary>
    public async Task<(CallToolResult Result, string Text)> CallAsync(string tool, Dictionary<string, object?>? arguments = null)
    {
        using var timeout = new CancellationTokenSource(Poll.DefaultTimeout);
        var result = await Client.CallToolAsync(tool, arguments ?? [], cancellationToken: timeout.Token).ConfigureAwait(false);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(b => b.Text));
        return (result, text);
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync().ConfigureAwait(false);
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
