using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.AI;
using TrainInsight.Cli.Llm;
using TrainInsight.TensorBoard;

namespace TrainInsight.Cli.Commands;

/// <summary><c>traininsight tb serve</c>: tail a log directory and serve its runs over the streaming endpoints.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(
        string logdir, string urls, IReadOnlyDictionary<string, string> tagMap, TimeSpan? pollInterval, ChatClientSettings llm, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(logdir))
        {
            await stderr.WriteLineAsync($"error: TensorBoard log directory '{Path.GetFullPath(logdir)}' does not exist.").ConfigureAwait(false);
            return CommandLine.Failed;
        }

        TensorBoardServer server;
        try
        {
            server = await TensorBoardServer.StartAsync(logdir, urls, tagMap, pollInterval, llm, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex) when (ex.Message.StartsWith("--llm", StringComparison.Ordinal))
        {
            await stderr.WriteLineAsync($"error: {ex.Message} Run 'traininsight --help' for usage.").ConfigureAwait(false);
            return CommandLine.Usage;
        }
        catch (IOException ex)
        {
            await stderr.WriteLineAsync($"error: cannot listen on {urls}: {ex.Message}").ConfigureAwait(false);
            return CommandLine.Failed;
        }
        catch (Exception ex) when (ex is FormatException or UriFormatException or InvalidOperationException or ArgumentException)
        {
            // Kestrel's own words for an address it cannot parse ("foo", "http://127.0.0.1:99999").
            await stderr.WriteLineAsync($"error: --urls '{urls}' is not a valid address: {ex.Message} Run 'traininsight --help' for usage.").ConfigureAwait(false);
            return CommandLine.Usage;
        }

        await using (server.ConfigureAwait(false))
        {
            await stdout.WriteLineAsync($"Serving TensorBoard logs in {server.Tailer.LogDirectory}").ConfigureAwait(false);
            await stdout.WriteLineAsync($"  live stream: {server.Address}api/stream/metrics   runs: {server.Address}api/runs   Ctrl+C stops.").ConfigureAwait(false);
            await stdout.WriteLineAsync($"  assistant:   {server.Address}api/assistant/chat ... answering with {llm.Describe()}").ConfigureAwait(false);
            await server.App.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        }

        return CommandLine.Ok;
    }
}

/// <summary>A Kestrel host with the TrainInsight endpoints over a tailed TensorBoard log directory.</summary>
internal sealed class TensorBoardServer : IAsyncDisposable
{
    private TensorBoardServer(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
    }

    public WebApplication App { get; }

    /// <summary>Gets the first address the server listens on, ending in '/'.</summary>
    public Uri Address { get; }

    public TensorBoardTailer Tailer => App.Services.GetRequiredService<TensorBoardTailer>();

    public ITelemetryBus Bus => App.Services.GetRequiredService<ITelemetryBus>();

    public static async Task<TensorBoardServer> StartAsync(
        string logdir, string urls, IReadOnlyDictionary<string, string> tagMap, TimeSpan? pollInterval, ChatClientSettings? llm, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        if (llm?.Create() is { } chatClient)
        {
            // The host picks the model; the assistant (AddLlm) uses whatever IChatClient is registered.
            builder.Services.AddSingleton(chatClient);
        }

        builder.WebHost.UseUrls(urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddTrainInsight()
            .AddStreaming()
            .AddLlm()
            .AddTensorBoard(o =>
            {
                o.LogDirectory = logdir;
                if (pollInterval is { } poll)
                {
                    o.PollInterval = poll;
                }

                foreach (var (tag, metric) in tagMap)
                {
                    o.MapTag(tag, metric);
                }
            });
        var app = builder.Build();
        app.UseWebSockets();
        app.MapTrainInsight();
        // The live dashboard at "/": the logs' curves as they are written, their findings and the assistant (no control: a
        // log directory has no trainer to steer).
        app.MapTrainInsightDashboard("/");

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TensorBoardServer(app, new Uri(address.EndsWith('/') ? address : address + "/"));
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
